/*
 * A load balancer in front of the replicas, standing for the Kubernetes Service: it probes each
 * replica's readiness (`/.backstage/health/v1/readiness`) every PROBE_MS, as the kubelet's
 * readiness probe and the endpoints controller do, and proxies each request to the next ready
 * replica (round-robin). The replicas' discovery sends their internal calls here, so that a
 * replica shutting down reaches a live one.
 */
import http from 'http';

export const BALANCER_PORT = 7106;
/** Readiness probe period. */
export const PROBE_MS = 250;
/** Consecutive failed probes that take a replica out (Kubernetes' failureThreshold). */
export const FAILURE_THRESHOLD = 2;

/**
 * A replica behind the balancer: `up` is what its probes say, `downAt` when it last went down,
 * `failures` its consecutive failed probes.
 */
export type Upstream = {
  base: string;
  up: boolean;
  downAt?: number;
  failures?: number;
};

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

async function ready(base: string): Promise<boolean> {
  try {
    const res = await fetch(`${base}/.backstage/health/v1/readiness`, {
      signal: AbortSignal.timeout(1000),
    });
    await res.text();
    return res.ok;
  } catch {
    return false;
  }
}

/** Starts the balancer over `upstreams` (read again at every probe and request). */
export async function startBalancer(upstreams: Upstream[]) {
  let next = 0;
  let stopped = false;
  /** Requests it could not forward (the replica's connection failed or was reset). */
  const failures: Array<{
    at: number;
    to: string;
    request: string;
    error: string;
  }> = [];
  const probes = (async () => {
    while (!stopped) {
      await Promise.all(
        upstreams.map(async u => {
          u.failures = (await ready(u.base)) ? 0 : (u.failures ?? 0) + 1;
          const up =
            u.failures === 0 || (u.up && u.failures < FAILURE_THRESHOLD);
          if (u.up && !up) u.downAt = Date.now();
          u.up = up;
        }),
      );
      await sleep(PROBE_MS);
    }
  })();
  const server = http.createServer((req, res) => {
    const live = upstreams.filter(u => u.up);
    if (!live.length) {
      res.writeHead(503).end('no ready replica');
      return;
    }
    const target = live[next++ % live.length];
    const forward = http.request(
      new URL(req.url ?? '/', target.base),
      // a connection per request: a kept-alive one that the replica closes for idleness just
      // as a request is sent on it would fail that request (a race of proxies, not of replicas)
      { method: req.method, headers: req.headers, agent: false },
      answer => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', e => {
      failures.push({
        at: Date.now(),
        to: target.base,
        request: `${req.method} ${req.url}`,
        error: String(e),
      });
      if (!res.headersSent) res.writeHead(502);
      res.end(String(e));
    });
    req.pipe(forward);
  });
  await new Promise<void>(r => server.listen(BALANCER_PORT, r));
  return {
    url: `http://localhost:${BALANCER_PORT}`,
    failures,
    async stop() {
      stopped = true;
      await probes;
      server.closeAllConnections();
      await new Promise(r => server.close(r));
    },
  };
}
