import { readTree, revParse, git } from '../state/git';
import { Route, RouteContext } from '../routes';
import { ForgeState } from '../state';
import {
  filePage,
  notFoundPage,
  Page,
  pullRequestListPage,
  pullRequestPage,
} from './html';

export type { Page } from './html';
export { notFoundPage } from './html';

/** A page, or a redirect after a form's POST (303). */
export type PageResult = Page | { redirect: string };

/**
 * A file's page, `/{owner}/{repo}/blob/{ref}/{path}`, as GitHub serves it; the ref may hold
 * slashes (`postgres/orders/orders-db`): the longest branch that exists is taken.
 */
async function blobPage(
  state: ForgeState,
  { params: { owner, repo, path: rest } }: RouteContext,
): Promise<PageResult> {
  const dir = state.repoDir(owner, repo);
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

/** The HTML pages: a pull request with Merge and Close buttons; a repository's pull requests. */
export function forgePageRoutes(state: ForgeState): Array<Route<PageResult>> {
  return [
    {
      method: 'POST',
      pattern: '/:owner/:repo/pull/:number/merge',
      handler: async ({ params: { owner, repo, number } }) => {
        await state.merge(owner, repo, Number(number));
        return { redirect: `/${owner}/${repo}/pull/${number}` };
      },
    },
    {
      method: 'POST',
      pattern: '/:owner/:repo/pull/:number/close',
      handler: async ({ params: { owner, repo, number } }) => {
        state.setState(owner, repo, Number(number), 'closed');
        return { redirect: `/${owner}/${repo}/pull/${number}` };
      },
    },
    {
      method: 'GET',
      pattern: '/:owner/:repo/pull/:number',
      handler: async ({ params: { owner, repo, number } }) => {
        const pr = state.pull(owner, repo, Number(number));
        return pullRequestPage(pr, await state.pullFiles(pr));
      },
    },
    {
      method: 'GET',
      pattern: '/:owner/:repo/blob/:path+',
      handler: ctx => blobPage(state, ctx),
    },
    {
      method: 'GET',
      pattern: '/:owner/:repo/pulls',
      handler: async ({ params: { owner, repo } }) =>
        pullRequestListPage(
          owner,
          repo,
          state.pulls
            .filter(p => p.owner === owner && p.repo === repo)
            .reverse(),
        ),
    },
  ];
}
