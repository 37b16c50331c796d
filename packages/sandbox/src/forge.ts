/* eslint-disable no-cond-assign -- the router matches and captures in one step: if ((m = path.match(re)) && …) */
import fs from 'fs';
import os from 'os';
import path from 'path';
import http from 'http';
import { readBody, sendJson, sleep, StandInBase } from './http';
import { git, hashBlob, readTree, revParse, TreeEntry, writeTree } from './git';

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
  createdAt: string;
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

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    c =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[
        c
      ]!),
  );

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
    files: Record<string, string>,
    message: string,
    branch = 'main',
  ) {
    const dir = this.gitDir(owner, repo);
    const parent = await revParse(dir, `refs/heads/${branch}`);
    const entries = parent
      ? await readTree(dir, parent)
      : new Map<string, TreeEntry>();
    for (const [p, content] of Object.entries(files)) {
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
    const pr = this.pulls.find(
      p => p.owner === owner && p.repo === repo && p.number === number,
    );
    if (!pr) throw new HttpError(404, 'Not Found');
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
    pr.state = 'closed';
    pr.merged = true;
    pr.mergeSha = commit;
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

  htmlUrl(pr: PullRequest) {
    return `${this.url}/${pr.owner}/${pr.repo}/pull/${pr.number}`;
  }

  private pullJson(pr: PullRequest) {
    return {
      number: pr.number,
      id: pr.number,
      state: pr.state,
      merged: pr.merged,
      merge_commit_sha: pr.mergeSha ?? null,
      title: pr.title,
      body: pr.body,
      draft: pr.draft,
      html_url: this.htmlUrl(pr),
      url: `${this.apiBaseUrl}/repos/${pr.owner}/${pr.repo}/pulls/${pr.number}`,
      created_at: pr.createdAt,
      head: { ref: pr.head, sha: pr.headSha, label: `${pr.owner}:${pr.head}` },
      base: {
        ref: pr.base,
        label: `${pr.owner}:${pr.base}`,
        repo: { name: pr.repo, owner: { login: pr.owner } },
      },
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
    try {
      const result = await this.route(method, pathname, url, body, api, res);
      if (result !== undefined)
        sendJson(res, result.status ?? 200, result.body, result.headers);
    } catch (e: any) {
      const status = e instanceof HttpError ? e.status : 500;
      sendJson(res, status, {
        message: e?.message ?? String(e),
        documentation_url: 'https://docs.github.com/rest',
      });
    }
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

  private async route(
    method: string,
    pathname: string,
    url: URL,
    body: any,
    api: boolean,
    res: http.ServerResponse,
  ): Promise<
    | { status?: number; body: unknown; headers?: Record<string, string> }
    | undefined
  > {
    let m: RegExpMatchArray | null;
    const seg = '([^/]+)';

    if (method === 'POST' && pathname === '/graphql') {
      this.count('POST /graphql');
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
      return {
        body: {
          data: {
            repository: {
              ref: exists
                ? {
                    associatedPullRequests: {
                      edges: open
                        ? [
                            {
                              node: {
                                id: `PR_${open.number}`,
                                number: open.number,
                                url: this.htmlUrl(open),
                              },
                            },
                          ]
                        : [],
                    },
                  }
                : null,
            },
          },
        },
      };
    }
    if (method === 'GET' && pathname === '/user') {
      this.count('GET /user');
      return { body: { login: 'sandbox-bot', id: 1, type: 'User' } };
    }
    if (
      (m = pathname.match(new RegExp(`^/repos/${seg}/${seg}$`))) &&
      method === 'GET'
    ) {
      this.count('GET /repos/:owner/:repo');
      this.repoDir(m[1], m[2]);
      return {
        body: {
          id: 1,
          name: m[2],
          full_name: `${m[1]}/${m[2]}`,
          owner: { login: m[1], type: 'Organization' },
          private: true,
          default_branch: 'main',
          html_url: `${this.url}/${m[1]}/${m[2]}`,
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
    }
    if (
      (m = pathname.match(new RegExp(`^/repos/${seg}/${seg}/commits$`))) &&
      method === 'GET'
    ) {
      this.count('GET /repos/:owner/:repo/commits');
      const dir = this.repoDir(m[1], m[2]);
      const ref = url.searchParams.get('sha') ?? 'main';
      const sha =
        (await revParse(dir, `refs/heads/${ref}`)) ??
        (await revParse(dir, ref));
      if (!sha) throw new HttpError(404, `No commit found for SHA: ${ref}`);
      const tree = (
        await git(dir, ['rev-parse', `${sha}^{tree}`])
      ).stdout.trim();
      return { body: [{ sha, commit: { tree: { sha: tree }, message: '' } }] };
    }
    if (
      (m = pathname.match(new RegExp(`^/repos/${seg}/${seg}/git/blobs$`))) &&
      method === 'POST'
    ) {
      this.count('POST /repos/:owner/:repo/git/blobs');
      const dir = this.repoDir(m[1], m[2]);
      const content = Buffer.from(
        String(body.content ?? ''),
        body.encoding === 'base64' ? 'base64' : 'utf8',
      );
      return { status: 201, body: { sha: await hashBlob(dir, content) } };
    }
    if (
      (m = pathname.match(new RegExp(`^/repos/${seg}/${seg}/git/trees$`))) &&
      method === 'POST'
    ) {
      this.count('POST /repos/:owner/:repo/git/trees');
      const dir = this.repoDir(m[1], m[2]);
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
    }
    if (
      (m = pathname.match(new RegExp(`^/repos/${seg}/${seg}/git/commits$`))) &&
      method === 'POST'
    ) {
      this.count('POST /repos/:owner/:repo/git/commits');
      const dir = this.repoDir(m[1], m[2]);
      const args = [
        'commit-tree',
        String(body.tree),
        '-m',
        String(body.message ?? ''),
      ];
      for (const parent of body.parents ?? []) args.push('-p', String(parent));
      const env: Record<string, string> = {};
      if (body.author?.name) env.GIT_AUTHOR_NAME = body.author.name;
      if (body.author?.email) env.GIT_AUTHOR_EMAIL = body.author.email;
      const sha = (await git(dir, args, { env })).stdout.trim();
      return {
        status: 201,
        body: { sha, tree: { sha: body.tree }, message: body.message },
      };
    }
    if (
      (m = pathname.match(new RegExp(`^/repos/${seg}/${seg}/git/refs$`))) &&
      method === 'POST'
    ) {
      this.count('POST /repos/:owner/:repo/git/refs');
      const dir = this.repoDir(m[1], m[2]);
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
    }
    if (
      (m = pathname.match(
        new RegExp(`^/repos/${seg}/${seg}/git/refs/heads/(.+)$`),
      )) &&
      method === 'PATCH'
    ) {
      this.count('PATCH /repos/:owner/:repo/git/refs/:ref');
      const dir = this.repoDir(m[1], m[2]);
      await git(dir, ['update-ref', `refs/heads/${m[3]}`, String(body.sha)]);
      return {
        body: {
          ref: `refs/heads/${m[3]}`,
          object: { sha: body.sha, type: 'commit' },
        },
      };
    }
    if (
      (m = pathname.match(new RegExp(`^/repos/${seg}/${seg}/pulls$`))) &&
      method === 'POST'
    ) {
      this.count('POST /repos/:owner/:repo/pulls');
      const dir = this.repoDir(m[1], m[2]);
      const head = String(body.head ?? '')
        .split(':')
        .pop()!;
      const headSha = await revParse(dir, `refs/heads/${head}`);
      if (!headSha)
        throw new HttpError(
          422,
          `Validation Failed: head ${head} does not exist`,
        );
      const pr: PullRequest = {
        number: this.pulls.length + 1,
        owner: m[1],
        repo: m[2],
        title: String(body.title ?? ''),
        body: String(body.body ?? ''),
        head,
        base: String(body.base ?? 'main'),
        headSha,
        state: 'open',
        merged: false,
        draft: !!body.draft,
        createdAt: new Date().toISOString(),
      };
      this.pulls.push(pr);
      return { status: 201, body: this.pullJson(pr) };
    }
    if (
      (m = pathname.match(new RegExp(`^/repos/${seg}/${seg}/pulls$`))) &&
      method === 'GET'
    ) {
      this.count('GET /repos/:owner/:repo/pulls');
      const state = url.searchParams.get('state') ?? 'open';
      return {
        body: this.pulls
          .filter(
            p =>
              p.owner === m![1] &&
              p.repo === m![2] &&
              (state === 'all' || p.state === state),
          )
          .map(p => this.pullJson(p)),
      };
    }
    if (
      (m = pathname.match(new RegExp(`^/repos/${seg}/${seg}/pulls/(\\d+)$`))) &&
      method === 'GET'
    ) {
      this.count('GET /repos/:owner/:repo/pulls/:number');
      const pr = this.pulls.find(
        p =>
          p.owner === m![1] && p.repo === m![2] && p.number === Number(m![3]),
      );
      if (!pr) throw new HttpError(404, 'Not Found');
      return { body: this.pullJson(pr) };
    }
    if (
      (m = pathname.match(new RegExp(`^/repos/${seg}/${seg}/pulls/(\\d+)$`))) &&
      method === 'PATCH'
    ) {
      // what publish:github:pull-request with `update` sends for an open pull request
      this.count('PATCH /repos/:owner/:repo/pulls/:number');
      const pr = this.pulls.find(
        p =>
          p.owner === m![1] && p.repo === m![2] && p.number === Number(m![3]),
      );
      if (!pr) throw new HttpError(404, 'Not Found');
      if (body.title !== undefined) pr.title = String(body.title);
      if (body.body !== undefined) pr.body = String(body.body);
      pr.headSha =
        (await revParse(this.repoDir(m[1], m[2]), `refs/heads/${pr.head}`)) ??
        pr.headSha;
      return { body: this.pullJson(pr) };
    }
    if (
      (m = pathname.match(
        new RegExp(`^/repos/${seg}/${seg}/pulls/(\\d+)/files$`),
      )) &&
      method === 'GET'
    ) {
      this.count('GET /repos/:owner/:repo/pulls/:number/files');
      const pr = this.pulls.find(
        p =>
          p.owner === m![1] && p.repo === m![2] && p.number === Number(m![3]),
      );
      if (!pr) throw new HttpError(404, 'Not Found');
      return {
        body: (await this.pullFiles(pr)).map(({ filename, status }) => ({
          filename,
          status,
        })),
      };
    }
    if (
      (m = pathname.match(
        new RegExp(`^/repos/${seg}/${seg}/pulls/(\\d+)/merge$`),
      )) &&
      method === 'PUT'
    ) {
      this.count('PUT /repos/:owner/:repo/pulls/:number/merge');
      const pr = await this.merge(m[1], m[2], Number(m[3]));
      return {
        body: {
          merged: true,
          sha: pr.mergeSha,
          message: 'Pull Request successfully merged',
        },
      };
    }
    if (
      (m = pathname.match(
        new RegExp(`^/repos/${seg}/${seg}/contents/(.+)$`),
      )) &&
      // HEAD as GitHub answers it: whether the file exists (the pull request plugin asks before deleting)
      (method === 'GET' || method === 'HEAD')
    ) {
      this.count(`${method} /repos/:owner/:repo/contents/:path`);
      const dir = this.repoDir(m[1], m[2]);
      const ref = url.searchParams.get('ref') ?? 'main';
      const files = await readTree(dir, ref);
      const entry = files.get(decodeURIComponent(m[3]));
      if (!entry) throw new HttpError(404, 'Not Found');
      const content = (await git(dir, ['cat-file', 'blob', entry.sha])).stdout;
      return {
        body: {
          type: 'file',
          path: m[3],
          sha: entry.sha,
          encoding: 'base64',
          content: Buffer.from(content).toString('base64'),
        },
      };
    }
    if (!api) return this.page(method, pathname, res);
    throw new HttpError(404, 'Not Found');
  }

  /** The HTML pages: a pull request with its files and a Merge button; a list of pull requests. */
  private async page(
    method: string,
    pathname: string,
    res: http.ServerResponse,
  ) {
    let m: RegExpMatchArray | null;
    const html = (status: number, title: string, content: string) => {
      const text = `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(
        title,
      )}</title>
<style>body{font-family:sans-serif;margin:2rem;max-width:60rem}pre{background:#f6f8fa;padding:1rem;overflow:auto}
.state{display:inline-block;padding:.2rem .6rem;border-radius:1rem;color:#fff;background:#1f883d}.merged{background:#8250df}
button{background:#1f883d;color:#fff;border:0;padding:.5rem 1rem;border-radius:.4rem;font-size:1rem;cursor:pointer}</style>
</head><body>${content}</body></html>`;
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
      res.end(text);
      return undefined;
    };
    if (
      (m = pathname.match(/^\/([^/]+)\/([^/]+)\/pull\/(\d+)\/merge$/)) &&
      method === 'POST'
    ) {
      await this.merge(m[1], m[2], Number(m[3]));
      res.writeHead(303, { location: `/${m[1]}/${m[2]}/pull/${m[3]}` });
      res.end();
      return undefined;
    }
    if (
      (m = pathname.match(/^\/([^/]+)\/([^/]+)\/pull\/(\d+)$/)) &&
      method === 'GET'
    ) {
      const pr = this.pulls.find(
        p =>
          p.owner === m![1] && p.repo === m![2] && p.number === Number(m![3]),
      );
      if (!pr) return html(404, 'Not found', '<h1>Pull request not found</h1>');
      const files = await this.pullFiles(pr);
      const state = pr.merged
        ? '<span class="state merged">Merged</span>'
        : `<span class="state">${
            pr.state === 'open' ? 'Open' : 'Closed'
          }</span>`;
      const merge =
        pr.state === 'open'
          ? `<form method="post" action="/${pr.owner}/${pr.repo}/pull/${pr.number}/merge"><button type="submit">Merge pull request</button></form>`
          : '';
      return html(
        200,
        `${pr.title} #${pr.number}`,
        `<h1>${escapeHtml(pr.title)} <small>#${pr.number}</small></h1>
<p>${state} <code>${escapeHtml(pr.head)}</code> → <code>${escapeHtml(
          pr.base,
        )}</code> in ${escapeHtml(pr.owner)}/${escapeHtml(pr.repo)}</p>
<pre>${escapeHtml(pr.body)}</pre>${merge}
<h2>Files changed (${files.length})</h2>
${files
  .map(
    f =>
      `<h3>${escapeHtml(f.filename)} <small>${
        f.status
      }</small></h3><pre>${escapeHtml(f.content ?? '')}</pre>`,
  )
  .join('\n')}`,
      );
    }
    if (
      (m = pathname.match(/^\/([^/]+)\/([^/]+)\/pulls$/)) &&
      method === 'GET'
    ) {
      const list = this.pulls.filter(
        p => p.owner === m![1] && p.repo === m![2],
      );
      return html(
        200,
        'Pull requests',
        `<h1>Pull requests of ${escapeHtml(m[1])}/${escapeHtml(
          m[2],
        )}</h1><ul>${list
          .map(
            p =>
              `<li><a href="/${p.owner}/${p.repo}/pull/${p.number}">#${
                p.number
              } ${escapeHtml(p.title)}</a> (${
                p.merged ? 'merged' : p.state
              })</li>`,
          )
          .join('')}</ul>`,
      );
    }
    return html(404, 'Not found', '<h1>Not found</h1>');
  }
}
