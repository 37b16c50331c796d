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
export class KubernetesProxyClient {
  /** Upstream requests made, for benchmarks and debug logs. */
  requests = 0;

  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
      logger: LoggerService;
      timeoutMs: number;
    },
  ) {}

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
    const res = await fetch(`${base}/clusters`, {
      headers: { authorization: `Bearer ${await this.token()}` },
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    if (!res.ok) {
      throw new Error(
        `The Kubernetes backend did not list its clusters: HTTP ${res.status}`,
      );
    }
    const body = (await res.json()) as { items?: Array<{ name: string }> };
    return (body.items ?? []).map(c => c.name);
  }

  /** GET a Kubernetes API path in one cluster; throws KubernetesReadError on failure. */
  async get<T = any>(cluster: string, path: string): Promise<T> {
    const base = await this.options.discovery.getBaseUrl('kubernetes');
    this.requests++;
    let res: Response;
    try {
      res = await fetch(`${base}/proxy${path}`, {
        headers: {
          authorization: `Bearer ${await this.token()}`,
          'Backstage-Kubernetes-Cluster': cluster,
          accept: 'application/json',
        },
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (e: any) {
      if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
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
    }
    const text = await res.text();
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
