/** Resolves when `url` answers below 500, polling every second; rejects after `timeoutMs`. */
export function waitFor(
  url: string,
  what: string,
  timeoutMs?: number,
): Promise<void>;
/** Resolves with the guest's ownership refs once the guest signs in as a catalog user of a team. */
export function waitForGuestSignIn(
  backend?: string,
  timeoutMs?: number,
): Promise<string[]>;
