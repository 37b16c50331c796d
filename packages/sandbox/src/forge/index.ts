import fs from 'fs';
import os from 'os';
import path from 'path';
import http from 'http';
import { readBody, sendJson, sleep, StandInBase } from '../http';
import { ApiResult, gitHubApiRoutes } from './api';
import { forgePageRoutes, notFoundPage, PageResult } from './pages';
import { HttpError, matchRoute, Route } from './routes';
import { ForgeState, MergeEvent, PullRequest } from './state';

export type { MergeEvent, PullRequest } from './state';

/**
 * A Git forge stand-in: the GitHub REST subset that `publish:github:pull-request`
 * (octokit-plugin-create-pull-request) uses, plus listing and merging pull requests, backed by
 * real bare git repositories on disk (the forge's state, ./state). Pull requests also get a
 * small HTML page with a Merge button (./pages). The REST API (./api) is mounted under
 * `/api/v3` (GitHub Enterprise style); the pages at the root.
 */
export class ForgeStandIn extends StandInBase {
  /** Requests per "METHOD /route". */
  readonly calls: Record<string, number> = {};
  latencyMs = 0;
  private failures: Array<{ route: string; status: number; message: string }> =
    [];
  private readonly apiRoutes: Array<Route<ApiResult>>;
  private readonly pageRoutes: Array<Route<PageResult>>;

  private constructor(readonly state: ForgeState) {
    super();
    this.apiRoutes = gitHubApiRoutes(state, this);
    this.pageRoutes = forgePageRoutes(state);
  }

  static async start(
    options: { port?: number; dataDir?: string; latencyMs?: number } = {},
  ) {
    const dir =
      options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'forge-'));
    const forge = new ForgeStandIn(new ForgeState(dir));
    forge.latencyMs = options.latencyMs ?? 0;
    await forge.listenOn(options.port);
    return forge;
  }

  /** The host for Backstage's `integrations.github[].host` and repo URLs. */
  get host() {
    return `127.0.0.1:${this.port}`;
  }
  /** This forge as one of Backstage's `integrations.github` entries (any token is accepted). */
  backstageIntegration() {
    return {
      host: this.host,
      apiBaseUrl: this.apiBaseUrl,
      token: 'sandbox-token',
    };
  }
  /** One of this forge's repositories as an entry of `postgres.gitops.repositories`. */
  gitopsRepository(owner: string, repo: string, baseBranch = 'main') {
    return { host: this.host, owner, repo, baseBranch };
  }
  get apiBaseUrl() {
    return `${this.url}/api/v3`;
  }
  htmlUrl(pr: PullRequest) {
    return `${this.url}/${pr.owner}/${pr.repo}/pull/${pr.number}`;
  }

  /** Branches created through the API (refs POSTed). */
  get branchesCreated(): number {
    return this.calls['POST /repos/:owner/:repo/git/refs'] ?? 0;
  }

  /** The next request whose route matches fails with this status. */
  failNext(route: string, status = 500, message = 'Sandbox failure') {
    this.failures.push({ route, status, message });
  }

  // What a person does through the forge, and what tests read back: the state's.
  get dataDir() {
    return this.state.dataDir;
  }
  get pulls(): PullRequest[] {
    return this.state.pulls;
  }
  onMerge(listener: (e: MergeEvent) => void | Promise<void>) {
    this.state.onMerge(listener);
  }
  gitDir(owner: string, repo: string) {
    return this.state.gitDir(owner, repo);
  }
  createRepo: ForgeState['createRepo'] = (...args) =>
    this.state.createRepo(...args);
  commitFiles: ForgeState['commitFiles'] = (...args) =>
    this.state.commitFiles(...args);
  openPullRequest: ForgeState['openPullRequest'] = (...args) =>
    this.state.openPullRequest(...args);
  readFiles: ForgeState['readFiles'] = (...args) =>
    this.state.readFiles(...args);
  pullFiles: ForgeState['pullFiles'] = (...args) =>
    this.state.pullFiles(...args);
  merge: ForgeState['merge'] = (...args) => this.state.merge(...args);
  setState: ForgeState['setState'] = (...args) => this.state.setState(...args);

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    // Octokit encodes path parameters such as {ref} ('heads%2Fbranch'); route on the decoded path
    let pathname = decodeURIComponent(url.pathname);
    const api = pathname.startsWith('/api/v3/') || pathname === '/api/graphql';
    if (pathname.startsWith('/api/v3/'))
      pathname = pathname.slice('/api/v3'.length);
    if (pathname === '/api/graphql') pathname = '/graphql';
    const method = req.method ?? 'GET';
    let body: any = {};
    const raw = await readBody(req);
    const type = String(req.headers['content-type'] ?? '');
    try {
      if (raw.length && type.includes('json'))
        body = JSON.parse(raw.toString('utf8'));
      else if (raw.length && type.includes('form'))
        body = Object.fromEntries(new URLSearchParams(raw.toString()));
    } catch {
      body = {};
    }
    if (this.latencyMs) await sleep(this.latencyMs);
    if (!api) {
      await this.servePage(method, pathname, res);
      return;
    }
    try {
      const match = matchRoute(this.apiRoutes, method, pathname);
      if (!match) throw new HttpError(404, 'Not Found');
      this.count(match.key);
      const result = await match.route.handler({
        params: match.params,
        url,
        body,
      });
      sendJson(res, result.status ?? 200, result.body, result.headers);
    } catch (e: any) {
      const status = e instanceof HttpError ? e.status : 500;
      sendJson(res, status, {
        message: e?.message ?? String(e),
        documentation_url: 'https://docs.github.com/rest',
      });
    }
  }

  private async servePage(
    method: string,
    pathname: string,
    res: http.ServerResponse,
  ) {
    let result: PageResult;
    try {
      const match = matchRoute(this.pageRoutes, method, pathname);
      result = match
        ? await match.route.handler({
            params: match.params,
            url: new URL(pathname, 'http://sandbox'),
            body: {},
          })
        : notFoundPage();
    } catch (e: any) {
      result =
        e instanceof HttpError && e.status === 404
          ? notFoundPage('Pull request not found')
          : { status: e?.status ?? 500, html: String(e?.message ?? e) };
    }
    if ('redirect' in result) {
      res.writeHead(303, { location: result.redirect });
      res.end();
      return;
    }
    res.writeHead(result.status, {
      'content-type': 'text/html; charset=utf-8',
    });
    res.end(result.html);
  }

  private count(route: string) {
    this.calls[route] = (this.calls[route] ?? 0) + 1;
    const i = this.failures.findIndex(f => f.route === route);
    if (i >= 0) {
      const [f] = this.failures.splice(i, 1);
      throw new HttpError(f.status, f.message);
    }
  }
}
