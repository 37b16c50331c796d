import {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';

/** Why a read of one cluster failed. */
export type ReadFailure =
  | 'unreachable'
  | 'timeout'
  | 'forbidden'
  | 'notFound'
  | 'tooLarge'
  | 'error';

export class KubernetesReadError extends Error {
  constructor(
    readonly cluster: string,
    readonly failure: ReadFailure,
    message: string,
  ) {
    super(message);
    this.name = 'KubernetesReadError';
  }
}

/**
 * Reads Kubernetes through Backstage's Kubernetes backend: a plugin-to-plugin token for
 * `kubernetes`, its `/proxy` endpoint and the `Backstage-Kubernetes-Cluster` header. Every
 * cluster and auth method the portal has works, with no cluster configuration of our own.
 */
export class ClusterApiClient {
  /** Upstream requests made, for benchmarks and debug logs. */
  requests = 0;

  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
      logger: LoggerService;
      timeoutMs: number;
      /** The most bytes an upstream body may have; a longer one is cut off and fails the read. */
      maxResponseBytes: number;
    },
  ) {}

  /**
   * An AbortController that aborts after `timeoutMs` (a plain timer: on Node 20 a signal made
   * by `AbortSignal.any` of `AbortSignal.timeout` can be garbage-collected and never fire).
   * Call `done()` when the body has been read.
   */
  private abortAfterTimeout() {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs);
    const handle = {
      signal: controller.signal,
      get timedOut() {
        return timedOut;
      },
      abort: () => controller.abort(),
      done: () => clearTimeout(timer),
    };
    return handle;
  }

  /**
   * The body as text, read as a stream and abandoned (the request aborted) as soon as it passes
   * `maxResponseBytes`: a huge or endless answer costs at most that much memory.
   */
  private async readBody(
    res: Response,
    abort: { abort(): void },
    cluster: string,
    path: string,
  ): Promise<string> {
    const max = this.options.maxResponseBytes;
    const tooLarge = () =>
      new KubernetesReadError(
        cluster,
        'tooLarge',
        `cluster ${cluster} answered more than ${max} bytes for ${
          path.split('?')[0]
        } (postgres.kubernetes.maxResponseBytes); the answer was not read`,
      );
    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > max) {
      abort.abort();
      throw tooLarge();
    }
    if (!res.body) return '';
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        abort.abort();
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private async token(): Promise<string> {
    const { token } = await this.options.auth.getPluginRequestToken({
      onBehalfOf: await this.options.auth.getOwnServiceCredentials(),
      targetPluginId: 'kubernetes',
    });
    return token;
  }

  /** Names of the clusters the Kubernetes backend is configured with. */
  async listClusters(): Promise<string[]> {
    const base = await this.options.discovery.getBaseUrl('kubernetes');
    this.requests++;
    const abort = this.abortAfterTimeout();
    let text: string;
    try {
      const res = await fetch(`${base}/clusters`, {
        headers: { authorization: `Bearer ${await this.token()}` },
        signal: abort.signal,
      });
      if (!res.ok) {
        abort.abort();
        throw new Error(
          `The Kubernetes backend did not list its clusters: HTTP ${res.status}`,
        );
      }
      text = await this.readBody(res, abort, '', '/clusters');
    } finally {
      abort.done();
    }
    const body = JSON.parse(text || '{}') as {
      items?: Array<{ name: string }>;
    };
    return (body.items ?? []).map(c => c.name);
  }

  /** GET a Kubernetes API path in one cluster; throws KubernetesReadError on failure. */
  async get<T = any>(cluster: string, path: string): Promise<T> {
    const base = await this.options.discovery.getBaseUrl('kubernetes');
    this.requests++;
    const abort = this.abortAfterTimeout();
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${base}/proxy${path}`, {
        headers: {
          authorization: `Bearer ${await this.token()}`,
          'Backstage-Kubernetes-Cluster': cluster,
          accept: 'application/json',
        },
        signal: abort.signal,
      });
      text = await this.readBody(res, abort, cluster, path);
    } catch (e: any) {
      if (e instanceof KubernetesReadError) throw e;
      if (abort.timedOut) {
        throw new KubernetesReadError(
          cluster,
          'timeout',
          `cluster ${cluster} did not answer within ${this.options.timeoutMs} ms`,
        );
      }
      throw new KubernetesReadError(
        cluster,
        'unreachable',
        `cluster ${cluster} is unreachable: ${
          e?.cause?.code ?? e?.message ?? e
        }`,
      );
    } finally {
      abort.done();
    }
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (res.ok) return body as T;
    const message: string =
      body?.message ??
      body?.error?.message ??
      (typeof body?.error === 'string' ? body.error : '') ??
      '';
    if (res.status === 403) {
      throw new KubernetesReadError(
        cluster,
        'forbidden',
        message || `forbidden: ${path}`,
      );
    }
    if (res.status === 404) {
      throw new KubernetesReadError(
        cluster,
        'notFound',
        message || `not found: ${path}`,
      );
    }
    // The proxy answers 5xx when it cannot reach the cluster.
    const failure: ReadFailure = res.status >= 500 ? 'unreachable' : 'error';
    throw new KubernetesReadError(
      cluster,
      failure,
      `cluster ${cluster} answered HTTP ${res.status}${
        message ? `: ${message}` : ''
      }`,
    );
  }
}
