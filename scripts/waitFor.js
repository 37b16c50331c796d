/** Resolves when `url` answers below 500, polling every second; rejects after `timeoutMs`. */
async function waitFor(url, what, timeoutMs = 240_000) {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    try {
      const res = await fetch(url);
      // read the body: one left unread errors later, unhandled, when its socket closes
      await res.arrayBuffer();
      if (res.status < 500) return;
    } catch {
      /* not yet */
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(
    `${what} did not answer at ${url} within ${timeoutMs / 1000} s`,
  );
}

/**
 * Resolves when the guest signs in as the catalog's user, a member of a group: the catalog has
 * read the example entities, so the guest's token carries its team (a token issued before
 * that would carry none, for its whole hour, and the guest would own nothing).
 */
async function waitForGuestSignIn(
  backend = 'http://localhost:7007',
  timeoutMs = 240_000,
) {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    try {
      const res = await fetch(
        `${backend}/api/auth/guest/refresh?env=development`,
        { headers: { 'x-requested-with': 'XMLHttpRequest' } },
      );
      const refs = res.ok
        ? (await res.json()).backstageIdentity?.identity?.ownershipEntityRefs
        : undefined;
      if (refs?.some(r => r.startsWith('group:'))) return refs;
    } catch {
      /* not yet */
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(
    `the guest did not sign in as a catalog user of a team within ${
      timeoutMs / 1000
    } s (is user:default/guest in the catalog?)`,
  );
}

module.exports = { waitFor, waitForGuestSignIn };
