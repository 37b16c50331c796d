/** Resolves when `url` answers below 500, polling every second; rejects after `timeoutMs`. */
async function waitFor(url, what, timeoutMs = 240_000) {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    try {
      const res = await fetch(url);
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

module.exports = { waitFor };
