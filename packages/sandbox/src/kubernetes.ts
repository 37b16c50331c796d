import http from 'http';
import { readBody, sendJson, sleep, StandInBase } from './http';

/** A kind the stand-in serves (a built-in resource or an installed CRD). */
export interface KindInfo {
  group: string; // '' for the core group
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    resourceVersion?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** The kinds of the platform: core, Crossplane claim and XR, CNPG, ESO (v1beta1), provider-kubernetes. */
export const PLATFORM_KINDS: KindInfo[] = [
  {
    group: '',
    version: 'v1',
    kind: 'Namespace',
    plural: 'namespaces',
    namespaced: false,
  },
  {
    group: '',
    version: 'v1',
    kind: 'Secret',
    plural: 'secrets',
    namespaced: true,
  },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true },
  {
    group: '',
    version: 'v1',
    kind: 'Event',
    plural: 'events',
    namespaced: true,
  },
  {
    group: '',
    version: 'v1',
    kind: 'PersistentVolumeClaim',
    plural: 'persistentvolumeclaims',
    namespaced: true,
  },
  {
    group: 'database.bizmatters.io',
    version: 'v1alpha1',
    kind: 'PostgresInstance',
    plural: 'postgresinstances',
    namespaced: true,
  },
  {
    group: 'database.bizmatters.io',
    version: 'v1alpha1',
    kind: 'XPostgresInstance',
    plural: 'xpostgresinstances',
    namespaced: false,
  },
  {
    group: 'postgresql.cnpg.io',
    version: 'v1',
    kind: 'Cluster',
    plural: 'clusters',
    namespaced: true,
  },
  {
    group: 'external-secrets.io',
    version: 'v1beta1',
    kind: 'ExternalSecret',
    plural: 'externalsecrets',
    namespaced: true,
  },
  {
    group: 'external-secrets.io',
    version: 'v1beta1',
    kind: 'ClusterSecretStore',
    plural: 'clustersecretstores',
    namespaced: false,
  },
  {
    group: 'kubernetes.crossplane.io',
    version: 'v1alpha2',
    kind: 'Object',
    plural: 'objects',
    namespaced: false,
  },
];

function status(
  code: number,
  reason: string,
  message: string,
  details?: object,
) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    details,
    code,
  };
}

/** The API server's answer for a path or resource it does not serve. */
const NOT_FOUND = () => ({
  code: 404,
  body: status(
    404,
    'NotFound',
    'the server could not find the requested resource',
  ),
});

function matchesLabels(
  labels: Record<string, string> = {},
  selector: string | null,
): boolean {
  if (!selector) return true;
  return selector.split(',').every(term => {
    const t = term.trim();
    if (!t) return true;
    let m = /^([^!=\s]+)\s*!=\s*(.*)$/.exec(t);
    if (m) return labels[m[1]] !== m[2];
    m = /^([^!=\s]+)\s*==?\s*(.*)$/.exec(t);
    if (m) return labels[m[1]] === m[2];
    if (t.startsWith('!')) return !(t.slice(1) in labels);
    return t in labels;
  });
}

function matchesFields(obj: KubeObject, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every(term => {
    const m = /^([^!=]+)(!=|==|=)(.*)$/.exec(term.trim());
    if (!m) return true;
    const fields: Record<string, string | undefined> = {
      'metadata.name': obj.metadata.name,
      'metadata.namespace': obj.metadata.namespace,
    };
    const value = fields[m[1]];
    return m[2] === '!=' ? value !== m[3] : value === m[3];
  });
}

/**
 * A Kubernetes API server stand-in: discovery, and get/list/create/update/delete of any
 * registered kind, namespaced or cluster-wide, with label and field selectors and
 * resourceVersions. It can be stopped, slowed or made to answer 403; it counts requests.
 */
export class KubernetesStandIn extends StandInBase {
  readonly kinds: KindInfo[];
  private readonly objects = new Map<string, KubeObject>();
  private revision = 1;
  /** Requests per "METHOD path-without-query". */
  readonly calls: Record<string, number> = {};
  /** The last 10,000 requests as "METHOD path?query", oldest first. */
  readonly requests: string[] = [];
  requestCount = 0;
  latencyMs = 0;
  /** Plurals (or '*') answered with 403 Forbidden. */
  readonly forbidden = new Set<string>();
  /** Plurals that may be listed per namespace but not across all namespaces (namespaced RBAC). */
  readonly forbiddenAtClusterScope = new Set<string>();
  /** `verb plural` pairs answered with 403 (e.g. `list secrets`: RBAC granting only `get`). */
  readonly forbiddenVerbs = new Set<string>();

  private constructor(readonly name: string, kinds: KindInfo[]) {
    super();
    this.kinds = [...kinds];
  }

  /**
   * This cluster as Backstage's Kubernetes backend configures one
   * (`kubernetes.clusterLocatorMethods[].clusters[]`): a service account token, which the
   * stand-in accepts whatever it is.
   */
  /**
   * Backstage's `kubernetes` config for these clusters: the config locator with each one's
   * {@link KubernetesStandIn.backstageCluster}, services located in every cluster.
   */
  static backstageConfig(clusters: KubernetesStandIn[]) {
    return {
      serviceLocatorMethod: { type: 'multiTenant' },
      clusterLocatorMethods: [
        { type: 'config', clusters: clusters.map(c => c.backstageCluster()) },
      ],
    };
  }

  backstageCluster() {
    return {
      name: this.name,
      url: this.url,
      authProvider: 'serviceAccount',
      serviceAccountToken: 'sandbox-token',
      skipTLSVerify: true,
      skipMetricsLookup: true,
    };
  }

  static async start(
    options: {
      name?: string;
      port?: number;
      kinds?: KindInfo[];
      latencyMs?: number;
    } = {},
  ) {
    const k = new KubernetesStandIn(
      options.name ?? 'sandbox',
      options.kinds ?? PLATFORM_KINDS,
    );
    k.latencyMs = options.latencyMs ?? 0;
    await k.listenOn(options.port);
    return k;
  }

  /** Starts again on the same port after stop(), with the same objects. */
  async restart() {
    await this.listenOn(this.port);
  }

  resetCounters() {
    for (const key of Object.keys(this.calls)) delete this.calls[key];
    this.requests.length = 0;
    this.requestCount = 0;
  }

  /** Removes a kind, as if its CRD were not installed. */
  uninstall(plural: string, group?: string) {
    for (let i = this.kinds.length - 1; i >= 0; i--) {
      if (
        this.kinds[i].plural === plural &&
        (group === undefined || this.kinds[i].group === group)
      ) {
        this.kinds.splice(i, 1);
      }
    }
  }

  private key(info: KindInfo, namespace: string | undefined, name: string) {
    return `${info.group}/${info.plural}/${namespace ?? ''}/${name}`;
  }

  private kindOf(apiVersion: string, kind: string): KindInfo | undefined {
    const [group, version] = apiVersion.includes('/')
      ? apiVersion.split('/')
      : ['', apiVersion];
    return this.kinds.find(
      k => k.group === group && k.version === version && k.kind === kind,
    );
  }

  /** Creates or replaces objects (e.g. the reference examples); kinds not served are skipped. */
  apply(...objects: KubeObject[]): number {
    let applied = 0;
    for (const obj of objects) {
      const info = this.kindOf(obj.apiVersion, obj.kind);
      if (!info) continue;
      const copy: KubeObject = JSON.parse(JSON.stringify(obj));
      copy.metadata.resourceVersion = String(++this.revision);
      if (!info.namespaced) delete copy.metadata.namespace;
      this.objects.set(
        this.key(info, copy.metadata.namespace, copy.metadata.name),
        copy,
      );
      applied++;
    }
    return applied;
  }

  delete(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ) {
    const info = this.kindOf(apiVersion, kind);
    return info ? this.objects.delete(this.key(info, namespace, name)) : false;
  }

  get(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined {
    const info = this.kindOf(apiVersion, kind);
    return info ? this.objects.get(this.key(info, namespace, name)) : undefined;
  }

  list(apiVersion: string, kind: string, namespace?: string): KubeObject[] {
    const info = this.kindOf(apiVersion, kind);
    if (!info) return [];
    return [...this.objects.values()].filter(
      o =>
        o.apiVersion === apiVersion &&
        o.kind === kind &&
        (namespace === undefined || o.metadata.namespace === namespace),
    );
  }

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://k8s');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    this.requestCount++;
    const route = `${method} ${url.pathname}`;
    this.calls[route] = (this.calls[route] ?? 0) + 1;
    this.requests.push(`${method} ${url.pathname}${url.search}`);
    if (this.requests.length > 10_000) this.requests.shift();
    if (this.latencyMs) await sleep(this.latencyMs);
    const { code, body } = this.route(method, url, raw);
    sendJson(res, code, body);
  }

  private route(
    method: string,
    url: URL,
    raw: Buffer,
  ): { code: number; body: unknown } {
    const p = url.pathname.replace(/\/+$/, '');
    if (method === 'GET' && p === '/api')
      return { code: 200, body: { kind: 'APIVersions', versions: ['v1'] } };
    if (method === 'GET' && p === '/version')
      return {
        code: 200,
        body: { major: '1', minor: '30', gitVersion: 'v1.30.0-sandbox' },
      };
    if (method === 'GET' && p === '/apis') {
      const groups = new Map<string, Set<string>>();
      for (const k of this.kinds.filter(x => x.group)) {
        if (!groups.has(k.group)) groups.set(k.group, new Set());
        groups.get(k.group)!.add(k.version);
      }
      return {
        code: 200,
        body: {
          kind: 'APIGroupList',
          apiVersion: 'v1',
          groups: [...groups].map(([name, versions]) => ({
            name,
            versions: [...versions].map(v => ({
              groupVersion: `${name}/${v}`,
              version: v,
            })),
            preferredVersion: {
              groupVersion: `${name}/${[...versions][0]}`,
              version: [...versions][0],
            },
          })),
        },
      };
    }
    const m =
      /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?(?:\/([^/]+))?(?:\/([^/]+))?(?:\/(status))?$/.exec(
        p,
      );
    if (!m) return NOT_FOUND();
    const group = m[2] ?? '';
    const version = m[1] ?? m[3];
    let namespace: string | undefined = m[4];
    let plural = m[5];
    let name = m[6];
    // "/api/v1/namespaces/x" is the namespace object itself
    if (namespace !== undefined && plural === undefined) {
      plural = 'namespaces';
      name = namespace;
      namespace = undefined;
    }
    if (plural === undefined) {
      const resources = this.kinds
        .filter(k => k.group === group && k.version === version)
        .map(k => ({
          name: k.plural,
          singularName: k.kind.toLowerCase(),
          namespaced: k.namespaced,
          kind: k.kind,
          verbs: [
            'get',
            'list',
            'create',
            'update',
            'patch',
            'delete',
            'watch',
          ],
        }));
      if (!resources.length) return NOT_FOUND();
      return {
        code: 200,
        body: {
          kind: 'APIResourceList',
          apiVersion: 'v1',
          groupVersion: group ? `${group}/${version}` : version,
          resources,
        },
      };
    }
    const info = this.kinds.find(
      k => k.group === group && k.version === version && k.plural === plural,
    );
    if (!info) return NOT_FOUND();
    const resource = group ? `${plural}.${group}` : plural;
    const verb =
      {
        GET: name ? 'get' : 'list',
        POST: 'create',
        PUT: 'update',
        DELETE: 'delete',
        PATCH: 'patch',
      }[method] ?? method.toLowerCase();
    if (
      this.forbidden.has('*') ||
      this.forbidden.has(plural) ||
      this.forbiddenVerbs.has(`${verb} ${plural}`) ||
      (namespace === undefined &&
        info.namespaced &&
        this.forbiddenAtClusterScope.has(plural))
    ) {
      const scope = namespace
        ? `in the namespace "${namespace}"`
        : 'at the cluster scope';
      return {
        code: 403,
        body: status(
          403,
          'Forbidden',
          `${resource} is forbidden: User "system:serviceaccount:backstage:backstage" cannot ${verb} resource "${plural}" in API group "${group}" ${scope}`,
          { group, kind: plural },
        ),
      };
    }
    const apiVersion = group ? `${group}/${version}` : version;
    if (method === 'GET' && !name) {
      const items = [...this.objects.values()]
        .filter(o => o.apiVersion === apiVersion && o.kind === info.kind)
        .filter(
          o => namespace === undefined || o.metadata.namespace === namespace,
        )
        .filter(o =>
          matchesLabels(
            o.metadata.labels,
            url.searchParams.get('labelSelector'),
          ),
        )
        .filter(o => matchesFields(o, url.searchParams.get('fieldSelector')));
      return {
        code: 200,
        body: {
          apiVersion,
          kind: `${info.kind}List`,
          metadata: { resourceVersion: String(this.revision) },
          items,
        },
      };
    }
    if (!name) {
      if (method !== 'POST')
        return {
          code: 405,
          body: status(405, 'MethodNotAllowed', 'method not allowed'),
        };
      const obj = JSON.parse(raw.toString('utf8')) as KubeObject;
      if (namespace) obj.metadata.namespace = namespace;
      if (
        this.objects.has(
          this.key(info, obj.metadata.namespace, obj.metadata.name),
        )
      ) {
        return {
          code: 409,
          body: status(
            409,
            'AlreadyExists',
            `${resource} "${obj.metadata.name}" already exists`,
          ),
        };
      }
      this.apply({ ...obj, apiVersion, kind: info.kind });
      return {
        code: 201,
        body: this.objects.get(
          this.key(info, obj.metadata.namespace, obj.metadata.name),
        ),
      };
    }
    const key = this.key(info, info.namespaced ? namespace : undefined, name);
    const existing = this.objects.get(key);
    if (method === 'GET') {
      return existing
        ? { code: 200, body: existing }
        : {
            code: 404,
            body: status(404, 'NotFound', `${resource} "${name}" not found`, {
              name,
              group,
              kind: plural,
            }),
          };
    }
    if (method === 'DELETE') {
      if (!existing)
        return {
          code: 404,
          body: status(404, 'NotFound', `${resource} "${name}" not found`),
        };
      this.objects.delete(key);
      return { code: 200, body: existing };
    }
    if (method === 'PUT') {
      const obj = JSON.parse(raw.toString('utf8')) as KubeObject;
      if (
        existing &&
        obj.metadata.resourceVersion &&
        obj.metadata.resourceVersion !== existing.metadata.resourceVersion
      ) {
        return {
          code: 409,
          body: status(
            409,
            'Conflict',
            `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
          ),
        };
      }
      this.apply({
        ...obj,
        apiVersion,
        kind: info.kind,
        metadata: { ...obj.metadata, name, namespace },
      });
      return { code: existing ? 200 : 201, body: this.objects.get(key) };
    }
    return {
      code: 405,
      body: status(405, 'MethodNotAllowed', 'method not allowed'),
    };
  }
}
