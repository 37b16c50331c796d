import http from 'http';
import { readBody, sendJson, sleep, StandInBase } from '../http';
import {
  discovery,
  fieldSelectorProblem,
  KubeAnswer,
  matchesFields,
  matchesLabels,
  NOT_FOUND,
  resourceList,
  status,
} from './api';
import { KindInfo, KubeObject, PLATFORM_KINDS } from './kinds';
import { invalidName } from './names';

export { PLATFORM_KINDS } from './kinds';
export type { KindInfo, KubeObject } from './kinds';

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

  /** 422 Invalid, as the API server answers an object it will not store. */
  private invalid(
    message: string,
    group: string,
    kind: string,
    obj: KubeObject,
  ): KubeAnswer {
    return {
      code: 422,
      body: status(422, 'Invalid', message, {
        name: obj.metadata?.name ?? '',
        group,
        kind,
        causes: [
          {
            reason: 'FieldValueInvalid',
            message: message.replace(/^.* is invalid: metadata\.name: /, ''),
            field: 'metadata.name',
          },
        ],
      }),
    };
  }

  private route(method: string, url: URL, raw: Buffer): KubeAnswer {
    const p = url.pathname.replace(/\/+$/, '');
    const found = discovery(this.kinds, method, p);
    if (found) return found;
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
      return resourceList(this.kinds, group, version);
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
      const problem = fieldSelectorProblem(
        apiVersion,
        info.kind,
        url.searchParams.get('fieldSelector'),
      );
      if (problem)
        return { code: 400, body: status(400, 'BadRequest', problem) };
      const limit = Number(url.searchParams.get('limit') ?? 0);
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
          // `limit` without continuation: the first page only
          items: limit > 0 ? items.slice(0, limit) : items,
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
      const invalid = invalidName(info.kind, obj.metadata?.name);
      if (invalid) return this.invalid(invalid, group, info.kind, obj);
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
      const invalid = existing ? undefined : invalidName(info.kind, name);
      if (invalid) return this.invalid(invalid, group, info.kind, obj);
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
