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

/**
 * The field labels a `fieldSelector` may use, per kind, with their values, as the API server
 * serves them: `metadata.name` and `metadata.namespace` on every kind; on core/v1 Events also
 * those of kubernetes pkg/registry/core/event/strategy.go (ToSelectableFields): the involved
 * object's fields, `reason`, `reportingComponent`, `source` (the source component) and `type`.
 * A value that is not set is the empty string.
 */
function selectableFields(obj: KubeObject): Record<string, string> {
  const fields: Record<string, string> = {
    'metadata.name': obj.metadata.name ?? '',
    'metadata.namespace': obj.metadata.namespace ?? '',
  };
  if (obj.kind === 'Event' && obj.apiVersion === 'v1') {
    const e = obj as any;
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    for (const f of [
      'kind',
      'namespace',
      'name',
      'uid',
      'apiVersion',
      'resourceVersion',
      'fieldPath',
    ])
      fields[`involvedObject.${f}`] = text(e.involvedObject?.[f]);
    fields.reason = text(e.reason);
    fields.reportingComponent = text(e.reportingComponent);
    fields.source = text(e.source?.component);
    fields.type = text(e.type);
  }
  return fields;
}

/** The terms of a `fieldSelector` (`a=b`, `a==b`, `a!=b`, comma-separated). */
function fieldTerms(selector: string) {
  return selector
    .split(',')
    .filter(t => t.trim())
    .map(term => {
      const m = /^([^!=]+)(!=|==|=)(.*)$/.exec(term.trim());
      return m
        ? { field: m[1].trim(), not: m[2] === '!=', value: m[3].trim() }
        : { invalid: term };
    });
}

/**
 * Why the API server would refuse a `fieldSelector` on `kind` (400 BadRequest), if it would:
 * a term that is not `field=value`, or a field label the kind does not support.
 */
export function fieldSelectorProblem(
  apiVersion: string,
  kind: string,
  selector: string | null,
): string | undefined {
  if (!selector) return undefined;
  const known = selectableFields({
    apiVersion,
    kind,
    metadata: { name: '' },
  });
  for (const t of fieldTerms(selector)) {
    if ('invalid' in t)
      return `invalid selector: '${selector}'; can't understand '${t.invalid}'`;
    if (!(t.field in known)) return `field label not supported: ${t.field}`;
  }
  return undefined;
}

/** Whether an object matches a `fieldSelector` (see {@link selectableFields}). */
export function matchesFields(
  obj: KubeObject,
  selector: string | null,
): boolean {
  if (!selector) return true;
  const fields = selectableFields(obj);
  return fieldTerms(selector).every(t => {
    if ('invalid' in t) return false;
    const value = fields[t.field];
    return t.not ? value !== t.value : value === t.value;
  });
}
