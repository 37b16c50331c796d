/** Resolves when `url` answers below 500, polling every second; rejects after `timeoutMs`. */
export function waitFor(
  url: string,
  what: string,
  timeoutMs?: number,
): Promise<void>;
