import { HttpError, Route, RouteContext } from '../routes';
import { ForgeState, PullRequest } from '../state';
import { revParse } from '../state/git';
import type { ApiResult, ForgeSite } from '.';

/**
 * GitHub's pull requests API (`/repos/{owner}/{repo}/pulls…`) over the forge's state, with
 * GitHub's field names (`pull-request-simple` in lists, `pull-request` alone), filters, paging
 * (`link` header) and validation messages.
 */
export class PullsApi {
  constructor(
    private readonly state: ForgeState,
    private readonly site: ForgeSite,
  ) {}

  /**
   * A pull request as GitHub's list answers it (`pull-request-simple`: `merged_at`, no
   * `merged`); {@link PullsApi.pullJson} adds what a single read has.
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
      html_url: this.site.htmlUrl(pr),
      url: `${this.site.apiBaseUrl}/repos/${pr.owner}/${pr.repo}/pulls/${pr.number}`,
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

  /** The pull requests of a repository as `GET /repos/{owner}/{repo}/pulls` filters and pages them. */
  private listPulls({ params, url }: RouteContext): ApiResult {
    const { owner, repo } = params;
    this.state.repoDir(owner, repo);
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
    const matching = this.state.pulls
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
        `${this.site.apiBaseUrl}/repos/${owner}/${repo}/pulls${url.search}`,
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

  readonly routes: Array<Route<ApiResult>> = [
    {
      method: 'POST',
      pattern: '/repos/:owner/:repo/pulls',
      handler: async ({ params: { owner, repo }, body }) => {
        const dir = this.state.repoDir(owner, repo);
        const head = String(body.head ?? '')
          .split(':')
          .pop()!;
        const headSha = await revParse(dir, `refs/heads/${head}`);
        if (!headSha)
          throw new HttpError(
            422,
            `Validation Failed: head ${head} does not exist`,
          );
        const pr = this.state.addPull({
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
        body: this.pullJson(this.state.pull(owner, repo, Number(number))),
      }),
    },
    {
      method: 'PATCH',
      pattern: '/repos/:owner/:repo/pulls/:number',
      handler: async ({ params: { owner, repo, number }, body }) => {
        const pr = this.state.pull(owner, repo, Number(number));
        if (body.state !== undefined) {
          if (body.state !== 'open' && body.state !== 'closed') {
            throw new HttpError(
              422,
              `Validation Failed: state must be open or closed`,
            );
          }
          this.state.setState(owner, repo, pr.number, body.state);
        }
        if (typeof body.title === 'string') pr.title = body.title;
        if (typeof body.body === 'string') pr.body = body.body;
        // publish:github:pull-request with `update` pushes to the branch, then sends this
        pr.headSha =
          (await revParse(
            this.state.repoDir(owner, repo),
            `refs/heads/${pr.head}`,
          )) ?? pr.headSha;
        return { body: this.pullJson(pr) };
      },
    },
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo/pulls/:number/files',
      handler: async ({ params: { owner, repo, number } }) => {
        const pr = this.state.pull(owner, repo, Number(number));
        return {
          body: (await this.state.pullFiles(pr)).map(
            ({ filename, status }) => ({
              filename,
              status,
            }),
          ),
        };
      },
    },
    {
      method: 'PUT',
      pattern: '/repos/:owner/:repo/pulls/:number/merge',
      handler: async ({ params: { owner, repo, number } }) => {
        const pr = await this.state.merge(owner, repo, Number(number));
        return {
          body: {
            merged: true,
            sha: pr.mergeSha,
            message: 'Pull Request successfully merged',
          },
        };
      },
    },
  ];
}
