import fs from 'fs';
import os from 'os';
import path from 'path';
import http from 'http';
import { readBody, sendJson, sleep, StandInBase } from './http';
import { git, hashBlob, readTree, revParse, TreeEntry, writeTree } from './git';
import {
  filePage,
  notFoundPage,
  Page,
  pullRequestListPage,
  pullRequestPage,
} from './forgePages';

export interface PullRequest {
  number: number;
  owner: string;
  repo: string;
  title: string;
  body: string;
  head: string;
  base: string;
  headSha: string;
  state: 'open' | 'closed';
  merged: boolean;
  mergeSha?: string;
  draft: boolean;
  /** The login of who opened it (the forge's one account, `sandbox-bot`). */
  user: string;
  createdAt: string;
  updatedAt: string;
  /** When it was closed, merged or not. */
  closedAt?: string;
  mergedAt?: string;
}

export interface MergeEvent {
  owner: string;
  repo: string;
  branch: string;
  sha: string;
  pullRequest: PullRequest;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * A Git forge stand-in: the GitHub REST subset that `publish:github:pull-request`
 * (octokit-plugin-create-pull-request) uses, plus listing and merging pull requests, backed by
 * real bare git repositories on disk. Pull requests also get a small HTML page with a Merge
 * button. Mounted under `/api/v3` (GitHub Enterprise style) and at the root.
 */
export class ForgeStandIn extends StandInBase {
  readonly pulls: PullRequest[] = [];
  /** Requests per "METHOD /route". */
  readonly calls: Record<string, number> = {};
  latencyMs = 0;
  private failures: Array<{ route: string; status: number; message: string }> =
    [];
  private mergeListeners: Array<(e: MergeEvent) => void | Promise<void>> = [];

  private constructor(readonly dataDir: string) {
    super();
  }

  static async start(
    options: { port?: number; dataDir?: string; latencyMs?: number } = {},
  ) {
    const dir =
      options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'forge-'));
    const forge = new ForgeStandIn(dir);
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

  /** Branches created through the API (refs POSTed). */
  get branchesCreated(): number {
    return this.calls['POST /repos/:owner/:repo/git/refs'] ?? 0;
  }

  onMerge(listener: (e: MergeEvent) => void | Promise<void>) {
    this.mergeListeners.push(listener);
  }

  /** The next request whose route matches fails with this status. */
  failNext(route: string, status = 500, message = 'Sandbox failure') {
    this.failures.push({ route, status, message });
  }

  gitDir(owner: string, repo: string) {
    return path.join(this.dataDir, owner, `${repo}.git`);
  }

  /** Creates a repository with one commit on `main` holding `files`. */
  async createRepo(
    owner: string,
    repo: string,
    files: Record<string, string> = { 'README.md': `# ${repo}\n` },
  ) {
    const dir = this.gitDir(owner, repo);
    fs.mkdirSync(dir, { recursive: true });
    await git(dir, ['init', '--bare', '--initial-branch=main', '-q']);
    await this.commitFiles(owner, repo, files, 'Initial commit');
  }

  /**
   * Commits files straight to a branch (the first commit when the branch does not exist yet);
   * used to seed the sandbox's GitOps repository.
   */
  async commitFiles(
    owner: string,
    repo: string,
    /** Path → content; `null` deletes the file. */
    files: Record<string, string | null>,
    message: string,
    branch = 'main',
  ) {
    const dir = this.gitDir(owner, repo);
    const parent = await revParse(dir, `refs/heads/${branch}`);
    const entries = parent
      ? await readTree(dir, parent)
      : new Map<string, TreeEntry>();
    for (const [p, content] of Object.entries(files)) {
      if (content === null) {
        entries.delete(p);
        continue;
      }
      entries.set(p, {
        mode: '100644',
        type: 'blob',
        sha: await hashBlob(dir, Buffer.from(content)),
      });
    }
    const tree = await writeTree(dir, entries);
    const args = ['commit-tree', tree, '-m', message];
    if (parent) args.push('-p', parent);
    const sha = (await git(dir, args)).stdout.trim();
    await git(dir, [
      'update-ref',
      `refs/heads/${branch}`,
      sha,
      ...(parent ? [parent] : []),
    ]);
    return sha;
  }

  /**
   * Opens a pull request from a new branch `head`, made from `base` with `files` committed on
   * top (as a person would with git and the forge's page); returns it.
   */
  async openPullRequest(
    owner: string,
    repo: string,
    options: {
      head: string;
      /** Path → content; `null` deletes the file. */
      files: Record<string, string | null>;
      title: string;
      base?: string;
    },
  ): Promise<PullRequest> {
    const base = options.base ?? 'main';
    const dir = this.repoDir(owner, repo);
    const baseSha = await revParse(dir, `refs/heads/${base}`);
    if (!baseSha) throw new HttpError(422, `No branch ${base}`);
    await git(dir, ['update-ref', `refs/heads/${options.head}`, baseSha]);
    const headSha = await this.commitFiles(
      owner,
      repo,
      options.files,
      options.title,
      options.head,
    );
    return this.addPull({
      owner,
      repo,
      title: options.title,
      body: '',
      head: options.head,
      base,
      headSha,
      draft: false,
    });
  }

  /** A new open pull request, numbered after the last, opened by the forge's one account. */
  private addPull(
    fields: Pick<
      PullRequest,
      | 'owner'
      | 'repo'
      | 'title'
      | 'body'
      | 'head'
      | 'base'
      | 'headSha'
      | 'draft'
    >,
  ): PullRequest {
    const at = new Date().toISOString();
    const pr: PullRequest = {
      ...fields,
      number: this.pulls.length + 1,
      state: 'open',
      merged: false,
      user: 'sandbox-bot',
      createdAt: at,
      updatedAt: at,
    };
    this.pulls.push(pr);
    return pr;
  }

  /** Files of a branch (path → text). */
  async readFiles(
    owner: string,
    repo: string,
    ref = 'main',
  ): Promise<Record<string, string>> {
    const dir = this.gitDir(owner, repo);
    const out: Record<string, string> = {};
    for (const [p, e] of await readTree(dir, ref)) {
      out[p] = (await git(dir, ['cat-file', 'blob', e.sha])).stdout;
    }
    return out;
  }

  /** Paths changed by a pull request against its base, with their status. */
  async pullFiles(
    pr: PullRequest,
  ): Promise<Array<{ filename: string; status: string; content?: string }>> {
    const dir = this.gitDir(pr.owner, pr.repo);
    const base = pr.merged ? `${pr.mergeSha}^1` : `refs/heads/${pr.base}`;
    const mergeBase = (
      await git(dir, ['merge-base', base, pr.headSha])
    ).stdout.trim();
    const { stdout } = await git(dir, [
      'diff',
      '--name-status',
      '-z',
      mergeBase,
      pr.headSha,
    ]);
    const parts = stdout.split('\0').filter(Boolean);
    const out: Array<{ filename: string; status: string; content?: string }> =
      [];
    for (let i = 0; i + 1 < parts.length; i += 2) {
      const status =
        { A: 'added', M: 'modified', D: 'removed' }[parts[i][0]] ?? 'changed';
      const filename = parts[i + 1];
      const content =
        status === 'removed'
          ? undefined
          : (await git(dir, ['show', `${pr.headSha}:${filename}`])).stdout;
      out.push({ filename, status, content });
    }
    return out;
  }

  /** Merges a pull request with a merge commit, as GitHub's default does. */
  async merge(
    owner: string,
    repo: string,
    number: number,
  ): Promise<PullRequest> {
    const pr = this.pull(owner, repo, number);
    if (pr.state !== 'open')
      throw new HttpError(405, 'Pull Request is not mergeable');
    const dir = this.gitDir(owner, repo);
    const baseSha = (await revParse(dir, `refs/heads/${pr.base}`))!;
    const { stdout, code } = await git(
      dir,
      ['merge-tree', '--write-tree', baseSha, pr.headSha],
      {
        allowExit: [1],
      },
    );
    if (code !== 0) throw new HttpError(405, 'Merge conflict');
    const tree = stdout.split('\n')[0].trim();
    const commit = (
      await git(dir, [
        'commit-tree',
        tree,
        '-p',
        baseSha,
        '-p',
        pr.headSha,
        '-m',
        `Merge pull request #${pr.number} from ${pr.head}\n\n${pr.title}`,
      ])
    ).stdout.trim();
    await git(dir, ['update-ref', `refs/heads/${pr.base}`, commit, baseSha]);
    const at = new Date().toISOString();
    pr.state = 'closed';
    pr.merged = true;
    pr.mergeSha = commit;
    pr.mergedAt = at;
    pr.closedAt = at;
    pr.updatedAt = at;
    for (const listener of this.mergeListeners) {
      await listener({
        owner,
        repo,
        branch: pr.base,
        sha: commit,
        pullRequest: pr,
      });
    }
    return pr;
  }

  /**
   * Closes an open pull request without merging it, or reopens a closed one that was not
   * merged (GitHub's `PATCH /repos/{owner}/{repo}/pulls/{n}` with `state`).
   */
  setState(
    owner: string,
    repo: string,
    number: number,
    state: 'open' | 'closed',
  ): PullRequest {
    const pr = this.pull(owner, repo, number);
    if (pr.merged && state === 'open') {
      throw new HttpError(
        422,
        'Validation Failed: cannot reopen a merged pull request',
      );
    }
    if (pr.state !== state) {
      const at = new Date().toISOString();
      pr.state = state;
      pr.closedAt = state === 'closed' ? at : undefined;
      pr.updatedAt = at;
    }
    return pr;
  }

  htmlUrl(pr: PullRequest) {
    return `${this.url}/${pr.owner}/${pr.repo}/pull/${pr.number}`;
  }

  private pull(owner: string, repo: string, number: number): PullRequest {
    const pr = this.pulls.find(
      p => p.owner === owner && p.repo === repo && p.number === number,
    );
    if (!pr) throw new HttpError(404, 'Not Found');
    return pr;
  }

  /**
   * A pull request as GitHub's list answers it (`pull-request-simple`: `merged_at`, no
   * `merged`); {@link ForgeStandIn.pullJson} adds what a single read has.
   */
  private pullSimpleJson(pr: PullRequest) {
    const repoJson = {
      name: pr.repo,
      full_name: `${pr.owner}/${pr.repo}`,
      owner: { login: pr.owner },
    };
    return {
      number: pr.number,
      id: pr.number,
      state: pr.state,
      locked: false,
      title: pr.title,
      body: pr.body,
      draft: pr.draft,
      user: { login: pr.user, type: 'User' },
      html_url: this.htmlUrl(pr),
      url: `${this.apiBaseUrl}/repos/${pr.owner}/${pr.repo}/pulls/${pr.number}`,
      created_at: pr.createdAt,
      updated_at: pr.updatedAt,
      closed_at: pr.closedAt ?? null,
      merged_at: pr.mergedAt ?? null,
      merge_commit_sha: pr.mergeSha ?? null,
      head: {
        ref: pr.head,
        sha: pr.headSha,
        label: `${pr.owner}:${pr.head}`,
        repo: repoJson,
      },
      base: { ref: pr.base, label: `${pr.owner}:${pr.base}`, repo: repoJson },
    };
  }

  /** A pull request as GitHub's `GET /repos/{owner}/{repo}/pulls/{n}` answers it. */
  private pullJson(pr: PullRequest) {
    return {
      ...this.pullSimpleJson(pr),
      merged: pr.merged,
      mergeable: pr.state === 'open' ? true : null,
      merged_by: pr.merged ? { login: 'sandbox-bot', type: 'User' } : null,
    };
  }

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

  private repoDir(owner: string, repo: string) {
    const dir = this.gitDir(owner, repo);
    if (
      !/^[\w.-]+$/.test(owner) ||
      !/^[\w.-]+$/.test(repo) ||
      !fs.existsSync(dir)
    ) {
      throw new HttpError(404, 'Not Found');
    }
    return dir;
  }

  /** The pull requests of a repository as `GET /repos/{owner}/{repo}/pulls` filters and pages them. */
  private listPulls({ params, url }: RouteContext): ApiResult {
    const { owner, repo } = params;
    this.repoDir(owner, repo);
    const q = url.searchParams;
    const state = q.get('state') ?? 'open';
    if (!['open', 'closed', 'all'].includes(state)) {
      throw new HttpError(422, `Validation Failed: state ${state}`);
    }
    // head is `user:ref-name` (or `organization:ref-name`)
    const head = q.get('head');
    const [headOwner, headRef] = head?.includes(':')
      ? head.split(/:(.*)/s)
      : [head ?? undefined, undefined];
    const base = q.get('base');
    const sort = q.get('sort') ?? 'created';
    const direction =
      q.get('direction') ??
      (sort === 'created' || !q.get('sort') ? 'desc' : 'asc');
    const perPage = Math.min(Math.max(Number(q.get('per_page') ?? 30), 1), 100);
    const page = Math.max(Number(q.get('page') ?? 1), 1);
    const key = (p: PullRequest) =>
      sort === 'updated' ? p.updatedAt : p.createdAt;
    const matching = this.pulls
      .filter(
        p =>
          p.owner === owner &&
          p.repo === repo &&
          (state === 'all' || p.state === state) &&
          (!headOwner || headOwner === p.owner) &&
          (headRef === undefined || headRef === p.head) &&
          (!base || base === p.base),
      )
      .sort((a, b) => {
        const order = key(a).localeCompare(key(b)) || a.number - b.number;
        return direction === 'asc' ? order : -order;
      });
    const last = Math.max(Math.ceil(matching.length / perPage), 1);
    const headers: Record<string, string> = {};
    if (page < last) {
      const next = new URL(
        `${this.apiBaseUrl}/repos/${owner}/${repo}/pulls${url.search}`,
      );
      next.searchParams.set('page', String(page + 1));
      next.searchParams.set('per_page', String(perPage));
      const lastUrl = new URL(next);
      lastUrl.searchParams.set('page', String(last));
      headers.link = `<${next}>; rel="next", <${lastUrl}>; rel="last"`;
    }
    return {
      body: matching
        .slice((page - 1) * perPage, page * perPage)
        .map(p => this.pullSimpleJson(p)),
      headers,
    };
  }

  /** A file of a branch as `GET /repos/{owner}/{repo}/contents/{path}` answers it. */
  private async fileContents({
    params: { owner, repo, path: file },
    url,
  }: RouteContext): Promise<ApiResult> {
    const dir = this.repoDir(owner, repo);
    const ref = url.searchParams.get('ref') ?? 'main';
    const files = await readTree(dir, ref);
    const entry = files.get(file);
    if (!entry) throw new HttpError(404, 'Not Found');
    const content = (await git(dir, ['cat-file', 'blob', entry.sha])).stdout;
    return {
      body: {
        type: 'file',
        path: file,
        sha: entry.sha,
        encoding: 'base64',
        content: Buffer.from(content).toString('base64'),
        // as GitHub answers it: the file's page, which this forge serves (blobPage)
        html_url: `${this.url}/${owner}/${repo}/blob/${ref}/${file
          .split('/')
          .map(encodeURIComponent)
          .join('/')}`,
      },
    };
  }

  /**
   * A file's page, `/{owner}/{repo}/blob/{ref}/{path}`, as GitHub serves it; the ref may hold
   * slashes (`postgres/orders/orders-db`): the longest branch that exists is taken.
   */
  private async blobPage({
    params: { owner, repo, path: rest },
  }: RouteContext): Promise<PageResult> {
    const dir = this.repoDir(owner, repo);
    const parts = rest.split('/');
    for (let i = parts.length - 1; i >= 1; i--) {
      const ref = parts.slice(0, i).join('/');
      if (!(await revParse(dir, `refs/heads/${ref}`))) continue;
      const file = parts.slice(i).join('/');
      const entry = (await readTree(dir, ref)).get(file);
      if (!entry) break;
      const content = (await git(dir, ['cat-file', 'blob', entry.sha])).stdout;
      return filePage(owner, repo, ref, file, content);
    }
    return notFoundPage('File not found');
  }

  /** The GitHub REST (and GraphQL) subset the scaffolder's GitHub actions and our plugins use. */
  private readonly apiRoutes: Array<Route<ApiResult>> = [
    {
      method: 'POST',
      pattern: '/graphql',
      handler: async ({ body }) => {
        const { owner, repo, head } = body.variables ?? {};
        const dir = this.repoDir(owner, repo);
        const exists = await revParse(dir, `refs/heads/${head}`);
        const open = this.pulls.find(
          p =>
            p.owner === owner &&
            p.repo === repo &&
            p.head === head &&
            p.state === 'open',
        );
        const edges = open
          ? [
              {
                node: {
                  id: `PR_${open.number}`,
                  number: open.number,
                  url: this.htmlUrl(open),
                },
              },
            ]
          : [];
        return {
          body: {
            data: {
              repository: {
                ref: exists ? { associatedPullRequests: { edges } } : null,
              },
            },
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: '/user',
      handler: async () => ({
        body: { login: 'sandbox-bot', id: 1, type: 'User' },
      }),
    },
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo',
      handler: async ({ params: { owner, repo } }) => {
        this.repoDir(owner, repo);
        return {
          body: {
            id: 1,
            name: repo,
            full_name: `${owner}/${repo}`,
            owner: { login: owner, type: 'Organization' },
            private: true,
            default_branch: 'main',
            html_url: `${this.url}/${owner}/${repo}`,
            permissions: {
              admin: true,
              maintain: true,
              push: true,
              triage: true,
              pull: true,
            },
          },
          headers: { 'x-oauth-scopes': 'repo' },
        };
      },
    },
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo/commits',
      handler: async ({ params: { owner, repo }, url }) => {
        const dir = this.repoDir(owner, repo);
        const ref = url.searchParams.get('sha') ?? 'main';
        const sha =
          (await revParse(dir, `refs/heads/${ref}`)) ??
          (await revParse(dir, ref));
        if (!sha) throw new HttpError(404, `No commit found for SHA: ${ref}`);
        const tree = (
          await git(dir, ['rev-parse', `${sha}^{tree}`])
        ).stdout.trim();
        return {
          body: [{ sha, commit: { tree: { sha: tree }, message: '' } }],
        };
      },
    },
    {
      method: 'POST',
      pattern: '/repos/:owner/:repo/git/blobs',
      handler: async ({ params: { owner, repo }, body }) => {
        const dir = this.repoDir(owner, repo);
        const content = Buffer.from(
          String(body.content ?? ''),
          body.encoding === 'base64' ? 'base64' : 'utf8',
        );
        return { status: 201, body: { sha: await hashBlob(dir, content) } };
      },
    },
    {
      method: 'POST',
      pattern: '/repos/:owner/:repo/git/trees',
      handler: async ({ params: { owner, repo }, body }) => {
        const dir = this.repoDir(owner, repo);
        const files = body.base_tree
          ? await readTree(dir, body.base_tree)
          : new Map<string, TreeEntry>();
        for (const item of body.tree ?? []) {
          const p = String(item.path);
          if (
            !p ||
            p
              .split('/')
              .some(
                (s: string) =>
                  s === '' || s === '.' || s === '..' || s === '.git',
              )
          ) {
            throw new HttpError(422, `Invalid tree path ${p}`);
          }
          if (item.sha === null) {
            files.delete(p);
          } else if (typeof item.content === 'string') {
            files.set(p, {
              mode: item.mode ?? '100644',
              type: 'blob',
              sha: await hashBlob(dir, Buffer.from(item.content)),
            });
          } else {
            files.set(p, {
              mode: item.mode ?? '100644',
              type: item.type ?? 'blob',
              sha: item.sha,
            });
          }
        }
        return { status: 201, body: { sha: await writeTree(dir, files) } };
      },
    },
    {
      method: 'POST',
      pattern: '/repos/:owner/:repo/git/commits',
      handler: async ({ params: { owner, repo }, body }) => {
        const dir = this.repoDir(owner, repo);
        const args = [
          'commit-tree',
          String(body.tree),
          '-m',
          String(body.message ?? ''),
        ];
        for (const parent of body.parents ?? [])
          args.push('-p', String(parent));
        const env: Record<string, string> = {};
        if (body.author?.name) env.GIT_AUTHOR_NAME = body.author.name;
        if (body.author?.email) env.GIT_AUTHOR_EMAIL = body.author.email;
        const sha = (await git(dir, args, { env })).stdout.trim();
        return {
          status: 201,
          body: { sha, tree: { sha: body.tree }, message: body.message },
        };
      },
    },
    {
      method: 'POST',
      pattern: '/repos/:owner/:repo/git/refs',
      handler: async ({ params: { owner, repo }, body }) => {
        const dir = this.repoDir(owner, repo);
        const ref = String(body.ref ?? '');
        if (!/^refs\/heads\/[\w./-]+$/.test(ref) || ref.includes('..'))
          throw new HttpError(422, 'Reference name is invalid');
        if (await revParse(dir, ref))
          throw new HttpError(422, 'Reference already exists');
        await git(dir, ['update-ref', ref, String(body.sha)]);
        return {
          status: 201,
          body: { ref, object: { sha: body.sha, type: 'commit' } },
        };
      },
    },
    {
      method: 'PATCH',
      pattern: '/repos/:owner/:repo/git/refs/heads/:ref+',
      handler: async ({ params: { owner, repo, ref }, body }) => {
        const dir = this.repoDir(owner, repo);
        await git(dir, ['update-ref', `refs/heads/${ref}`, String(body.sha)]);
        return {
          body: {
            ref: `refs/heads/${ref}`,
            object: { sha: body.sha, type: 'commit' },
          },
        };
      },
    },
    {
      method: 'POST',
      pattern: '/repos/:owner/:repo/pulls',
      handler: async ({ params: { owner, repo }, body }) => {
        const dir = this.repoDir(owner, repo);
        const head = String(body.head ?? '')
          .split(':')
          .pop()!;
        const headSha = await revParse(dir, `refs/heads/${head}`);
        if (!headSha)
          throw new HttpError(
            422,
            `Validation Failed: head ${head} does not exist`,
          );
        const pr = this.addPull({
          owner,
          repo,
          title: String(body.title ?? ''),
          body: String(body.body ?? ''),
          head,
          base: String(body.base ?? 'main'),
          headSha,
          draft: !!body.draft,
        });
        return { status: 201, body: this.pullJson(pr) };
      },
    },
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo/pulls',
      handler: async ctx => this.listPulls(ctx),
    },
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo/pulls/:number',
      handler: async ({ params: { owner, repo, number } }) => ({
        body: this.pullJson(this.pull(owner, repo, Number(number))),
      }),
    },
    {
      method: 'PATCH',
      pattern: '/repos/:owner/:repo/pulls/:number',
      handler: async ({ params: { owner, repo, number }, body }) => {
        const pr = this.pull(owner, repo, Number(number));
        if (body.state !== undefined) {
          if (body.state !== 'open' && body.state !== 'closed') {
            throw new HttpError(
              422,
              `Validation Failed: state must be open or closed`,
            );
          }
          this.setState(owner, repo, pr.number, body.state);
        }
        if (typeof body.title === 'string') pr.title = body.title;
        if (typeof body.body === 'string') pr.body = body.body;
        // publish:github:pull-request with `update` pushes to the branch, then sends this
        pr.headSha =
          (await revParse(
            this.repoDir(owner, repo),
            `refs/heads/${pr.head}`,
          )) ?? pr.headSha;
        return { body: this.pullJson(pr) };
      },
    },
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo/pulls/:number/files',
      handler: async ({ params: { owner, repo, number } }) => {
        const pr = this.pull(owner, repo, Number(number));
        return {
          body: (await this.pullFiles(pr)).map(({ filename, status }) => ({
            filename,
            status,
          })),
        };
      },
    },
    {
      method: 'PUT',
      pattern: '/repos/:owner/:repo/pulls/:number/merge',
      handler: async ({ params: { owner, repo, number } }) => {
        const pr = await this.merge(owner, repo, Number(number));
        return {
          body: {
            merged: true,
            sha: pr.mergeSha,
            message: 'Pull Request successfully merged',
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo/contents/:path+',
      handler: ctx => this.fileContents(ctx),
    },
    {
      // as GitHub answers it: whether the file exists (the pull request plugin asks before deleting)
      method: 'HEAD',
      pattern: '/repos/:owner/:repo/contents/:path+',
      handler: ctx => this.fileContents(ctx),
    },
  ];

  /** The HTML pages: a pull request with Merge and Close buttons; a repository's pull requests. */
  private readonly pageRoutes: Array<Route<PageResult>> = [
    {
      method: 'POST',
      pattern: '/:owner/:repo/pull/:number/merge',
      handler: async ({ params: { owner, repo, number } }) => {
        await this.merge(owner, repo, Number(number));
        return { redirect: `/${owner}/${repo}/pull/${number}` };
      },
    },
    {
      method: 'POST',
      pattern: '/:owner/:repo/pull/:number/close',
      handler: async ({ params: { owner, repo, number } }) => {
        this.setState(owner, repo, Number(number), 'closed');
        return { redirect: `/${owner}/${repo}/pull/${number}` };
      },
    },
    {
      method: 'GET',
      pattern: '/:owner/:repo/pull/:number',
      handler: async ({ params: { owner, repo, number } }) => {
        const pr = this.pull(owner, repo, Number(number));
        return pullRequestPage(pr, await this.pullFiles(pr));
      },
    },
    {
      method: 'GET',
      pattern: '/:owner/:repo/blob/:path+',
      handler: ctx => this.blobPage(ctx),
    },
    {
      method: 'GET',
      pattern: '/:owner/:repo/pulls',
      handler: async ({ params: { owner, repo } }) =>
        pullRequestListPage(
          owner,
          repo,
          this.pulls
            .filter(p => p.owner === owner && p.repo === repo)
            .reverse(),
        ),
    },
  ];
}

interface RouteContext {
  /** The pattern's `:name` captures, decoded. */
  params: Record<string, string>;
  url: URL;
  body: any;
}

interface ApiResult {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

type PageResult = Page | { redirect: string };

/**
 * One route: `pattern` is a path whose `:name` segments capture one segment and whose
 * `:name+` captures the rest of the path. `METHOD pattern` (without `+`) names the route in
 * {@link ForgeStandIn.calls} and {@link ForgeStandIn.failNext}.
 */
interface Route<R> {
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

function matchRoute<R>(
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
