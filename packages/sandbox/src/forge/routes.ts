/** An error the forge answers with its HTTP status (GitHub's `{ message }` body). */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface RouteContext {
  /** The pattern's `:name` captures, decoded. */
  params: Record<string, string>;
  url: URL;
  body: any;
}

/**
 * One route: `pattern` is a path whose `:name` segments capture one segment and whose
 * `:name+` captures the rest of the path. `METHOD pattern` (without `+`) names the route in
 * `ForgeStandIn.calls` and `ForgeStandIn.failNext`.
 */
export interface Route<R> {
  method: string;
  pattern: string;
  handler: (ctx: RouteContext) => Promise<R>;
}

const compiled = new Map<string, { re: RegExp; names: string[] }>();

function compile(pattern: string) {
  let c = compiled.get(pattern);
  if (!c) {
    const names: string[] = [];
    const source = pattern
      .split('/')
      .map(part => {
        const m = /^:(\w+)(\+?)$/.exec(part);
        if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(m[1]);
        return m[2] ? '(.+)' : '([^/]+)';
      })
      .join('/');
    c = { re: new RegExp(`^${source}$`), names };
    compiled.set(pattern, c);
  }
  return c;
}

export function matchRoute<R>(
  routes: Array<Route<R>>,
  method: string,
  pathname: string,
) {
  for (const route of routes) {
    if (route.method !== method) continue;
    const { re, names } = compile(route.pattern);
    const m = re.exec(pathname);
    if (!m) continue;
    const params: Record<string, string> = {};
    names.forEach((name, i) => (params[name] = m[i + 1]));
    return {
      route,
      params,
      key: `${route.method} ${route.pattern.replace(/\+$/, '')}`,
    };
  }
  return undefined;
}
