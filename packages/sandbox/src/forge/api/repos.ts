import { git, hashBlob, readTree, revParse, TreeEntry } from '../state/git';
import { writeTree } from '../state/git';
import { HttpError, Route, RouteContext } from '../routes';
import { ForgeState } from '../state';
import type { ApiResult, ForgeSite } from '.';

/**
 * GitHub's repository, git database (blobs, trees, commits, refs) and contents APIs, and the one
 * GraphQL query the pull request action sends, over the forge's state's bare repositories.
 */
export class RepositoryApi {
  constructor(
    private readonly state: ForgeState,
    private readonly site: ForgeSite,
  ) {}

  /** A file of a branch as `GET /repos/{owner}/{repo}/contents/{path}` answers it. */
  private async fileContents({
    params: { owner, repo, path: file },
    url,
  }: RouteContext): Promise<ApiResult> {
    const dir = this.state.repoDir(owner, repo);
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
        html_url: `${this.site.url}/${owner}/${repo}/blob/${ref}/${file
          .split('/')
          .map(encodeURIComponent)
          .join('/')}`,
      },
    };
  }

  readonly routes: Array<Route<ApiResult>> = [
    {
      method: 'POST',
      pattern: '/graphql',
      handler: async ({ body }) => {
        const { owner, repo, head } = body.variables ?? {};
        const dir = this.state.repoDir(owner, repo);
        const exists = await revParse(dir, `refs/heads/${head}`);
        const open = this.state.pulls.find(
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
                  url: this.site.htmlUrl(open),
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
        this.state.repoDir(owner, repo);
        return {
          body: {
            id: 1,
            name: repo,
            full_name: `${owner}/${repo}`,
            owner: { login: owner, type: 'Organization' },
            private: true,
            default_branch: 'main',
            html_url: `${this.site.url}/${owner}/${repo}`,
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
        const dir = this.state.repoDir(owner, repo);
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
        const dir = this.state.repoDir(owner, repo);
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
        const dir = this.state.repoDir(owner, repo);
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
        const dir = this.state.repoDir(owner, repo);
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
        const dir = this.state.repoDir(owner, repo);
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
        const dir = this.state.repoDir(owner, repo);
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
}
