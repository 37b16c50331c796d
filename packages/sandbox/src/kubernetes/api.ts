import type { KindInfo, KubeObject } from './kinds';

/** The API server's `Status` object for a failed request. */
export function status(
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

/** An answer of the API server: HTTP status and JSON body. */
export interface KubeAnswer {
  code: number;
  body: unknown;
}

/** The API server's answer for a path or resource it does not serve. */
export const NOT_FOUND = (): KubeAnswer => ({
  code: 404,
  body: status(
    404,
    'NotFound',
    'the server could not find the requested resource',
  ),
});

/** Discovery of the API server's own paths (`/api`, `/version`, `/apis`), else undefined. */
export function discovery(
  kinds: KindInfo[],
  method: string,
  p: string,
): KubeAnswer | undefined {
  if (method === 'GET' && p === '/api')
    return { code: 200, body: { kind: 'APIVersions', versions: ['v1'] } };
  if (method === 'GET' && p === '/version')
    return {
      code: 200,
      body: { major: '1', minor: '30', gitVersion: 'v1.30.0-sandbox' },
    };
  if (method === 'GET' && p === '/apis') {
    const groups = new Map<string, Set<string>>();
    for (const k of kinds.filter(x => x.group)) {
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
  return undefined;
}

/** `/api/v1` or `/apis/{group}/{version}`: the resources of one group version. */
export function resourceList(
  kinds: KindInfo[],
  group: string,
  version: string,
): KubeAnswer {
  const resources = kinds
    .filter(k => k.group === group && k.version === version)
    .map(k => ({
      name: k.plural,
      singularName: k.kind.toLowerCase(),
      namespaced: k.namespaced,
      kind: k.kind,
      verbs: ['get', 'list', 'create', 'update', 'patch', 'delete', 'watch'],
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

/** Whether labels match a `labelSelector` (equality terms and existence). */
export function matchesLabels(
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

/** Whether an object matches a `fieldSelector` on its name and namespace. */
export function matchesFields(
  obj: KubeObject,
  selector: string | null,
): boolean {
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
