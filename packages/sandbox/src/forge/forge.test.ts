import { Octokit } from '@octokit/rest';
import { ForgeStandIn } from '.';

describe('ForgeStandIn', () => {
  let forge: ForgeStandIn;
  let octokit: Octokit;
  beforeAll(async () => {
    forge = await ForgeStandIn.start();
    await forge.createRepo('platform', 'gitops', {
      'README.md': '# gitops\n',
      'apps/a.yaml': 'a: 1\n',
    });
    octokit = new Octokit({ baseUrl: forge.apiBaseUrl, auth: 'sandbox' });
  });
  afterAll(() => forge.stop());

  it('builds a commit from blobs and trees, opens a pull request and merges it into main', async () => {
    const owner = 'platform';
    const repo = 'gitops';
    const {
      data: [latest],
    } = await octokit.request('GET /repos/{owner}/{repo}/commits', {
      owner,
      repo,
      sha: 'main',
      per_page: 1,
    });
    const blob = await octokit.rest.git.createBlob({
      owner,
      repo,
      content: Buffer.from('b: 2\n').toString('base64'),
      encoding: 'base64',
    });
    const tree = await octokit.rest.git.createTree({
      owner,
      repo,
      base_tree: latest.commit.tree.sha,
      tree: [
        { path: 'databases/ns/db/b.yaml', mode: '100644', sha: blob.data.sha },
        { path: 'databases/ns/db/c.yaml', mode: '100644', content: 'c: 3\n' },
      ],
    });
    const commit = await octokit.rest.git.createCommit({
      owner,
      repo,
      message: 'Add db',
      tree: tree.data.sha,
      parents: [latest.sha],
    });
    await octokit.rest.git.createRef({
      owner,
      repo,
      ref: 'refs/heads/add-db',
      sha: commit.data.sha,
    });
    const pr = await octokit.rest.pulls.create({
      owner,
      repo,
      head: 'platform:add-db',
      base: 'main',
      title: 'Add db',
      body: 'body',
    });
    expect(pr.data.number).toBe(1);
    const files = await octokit.rest.pulls.listFiles({
      owner,
      repo,
      pull_number: 1,
    });
    expect(files.data.map(f => f.filename).sort()).toEqual([
      'databases/ns/db/b.yaml',
      'databases/ns/db/c.yaml',
    ]);

    const merged: string[] = [];
    forge.onMerge(e => {
      merged.push(e.branch);
    });
    const page = await fetch(`${forge.url}/platform/gitops/pull/1`).then(r =>
      r.text(),
    );
    expect(page).toContain('Merge pull request');
    expect(page).toContain('databases/ns/db/c.yaml');
    await fetch(`${forge.url}/platform/gitops/pull/1/merge`, {
      method: 'POST',
      redirect: 'manual',
    });
    expect(merged).toEqual(['main']);
    expect(await forge.readFiles('platform', 'gitops')).toEqual({
      'README.md': '# gitops\n',
      'apps/a.yaml': 'a: 1\n',
      'databases/ns/db/b.yaml': 'b: 2\n',
      'databases/ns/db/c.yaml': 'c: 3\n',
    });
    const after = await octokit.rest.pulls.get({ owner, repo, pull_number: 1 });
    // as GitHub answers a merged pull request: closed, merged, with both times
    expect(after.data).toMatchObject({
      number: 1,
      state: 'closed',
      merged: true,
      user: { login: 'sandbox-bot' },
      head: { ref: 'add-db' },
      html_url: `${forge.url}/platform/gitops/pull/1`,
    });
    expect(after.data.merged_at).toEqual(expect.any(String));
    expect(after.data.closed_at).toBe(after.data.merged_at);
    expect(Date.parse(after.data.merged_at!)).toBeGreaterThanOrEqual(
      Date.parse(after.data.created_at),
    );
    const merged2 = await fetch(`${forge.url}/platform/gitops/pull/1`).then(r =>
      r.text(),
    );
    expect(merged2).toContain('Merged');
    expect(merged2).not.toContain('Merge pull request');
  });

  /** A branch with one file and an open pull request from it; returns its number. */
  async function openPull(branch: string): Promise<number> {
    const owner = 'platform';
    const repo = 'gitops';
    const {
      data: [latest],
    } = await octokit.request('GET /repos/{owner}/{repo}/commits', {
      owner,
      repo,
      sha: 'main',
      per_page: 1,
    });
    const tree = await octokit.rest.git.createTree({
      owner,
      repo,
      base_tree: latest.commit.tree.sha,
      tree: [{ path: `${branch}.yaml`, mode: '100644', content: 'x: 1\n' }],
    });
    const commit = await octokit.rest.git.createCommit({
      owner,
      repo,
      message: branch,
      tree: tree.data.sha,
      parents: [latest.sha],
    });
    await octokit.rest.git.createRef({
      owner,
      repo,
      ref: `refs/heads/${branch}`,
      sha: commit.data.sha,
    });
    const pr = await octokit.rest.pulls.create({
      owner,
      repo,
      head: branch,
      base: 'main',
      title: branch,
    });
    return pr.data.number;
  }

  it('closes a pull request without merging it, by the API (PATCH state) and by its page', async () => {
    const owner = 'platform';
    const repo = 'gitops';
    const byApi = await openPull('close-by-api');
    const open = await octokit.rest.pulls.get({
      owner,
      repo,
      pull_number: byApi,
    });
    expect(open.data).toMatchObject({
      state: 'open',
      merged: false,
      merged_at: null,
      closed_at: null,
    });
    const closed = await octokit.rest.pulls.update({
      owner,
      repo,
      pull_number: byApi,
      state: 'closed',
    });
    expect(closed.data).toMatchObject({
      state: 'closed',
      merged: false,
      merged_at: null,
    });
    expect(closed.data.closed_at).toEqual(expect.any(String));
    // a closed pull request cannot be merged
    await expect(
      octokit.rest.pulls.merge({ owner, repo, pull_number: byApi }),
    ).rejects.toMatchObject({ status: 405 });

    const byPage = await openPull('close-by-page');
    const page = await fetch(`${forge.url}/${owner}/${repo}/pull/${byPage}`);
    expect(await page.text()).toContain('Close pull request');
    const res = await fetch(
      `${forge.url}/${owner}/${repo}/pull/${byPage}/close`,
      { method: 'POST', redirect: 'manual' },
    );
    expect(res.status).toBe(303);
    const after = await octokit.rest.pulls.get({
      owner,
      repo,
      pull_number: byPage,
    });
    expect(after.data).toMatchObject({ state: 'closed', merged: false });
    const text = await fetch(
      `${forge.url}/${owner}/${repo}/pull/${byPage}`,
    ).then(r => r.text());
    expect(text).toContain('Closed');
    expect(text).not.toContain('Merge pull request');
    await expect(
      octokit.rest.pulls.update({
        owner,
        repo,
        pull_number: 1,
        state: 'open',
      }),
    ).rejects.toMatchObject({ status: 422 });
  });

  it('lists pull requests by state and head, newest first, in pages', async () => {
    const owner = 'platform';
    const repo = 'gitops';
    const a = await openPull('list-a');
    const b = await openPull('list-b');
    const numbers = (data: Array<{ number: number }>) =>
      data.map(p => p.number);

    const open = await octokit.rest.pulls.list({ owner, repo });
    expect(numbers(open.data)).toEqual([b, a]);
    expect(open.data[0]).not.toHaveProperty('merged');
    expect(open.data[0]).toMatchObject({
      state: 'open',
      merged_at: null,
      user: { login: 'sandbox-bot' },
      head: { ref: 'list-b' },
    });

    const byHead = await octokit.rest.pulls.list({
      owner,
      repo,
      state: 'all',
      head: 'platform:add-db',
    });
    expect(numbers(byHead.data)).toEqual([1]);
    expect(byHead.data[0].merged_at).toEqual(expect.any(String));

    const closed = await octokit.rest.pulls.list({
      owner,
      repo,
      state: 'closed',
    });
    expect(closed.data.every(p => p.state === 'closed')).toBe(true);
    expect(numbers(closed.data)).toContain(1);
    expect(numbers(closed.data)).not.toContain(a);

    // octokit follows the Link header page by page
    const calls = forge.calls['GET /repos/:owner/:repo/pulls'];
    const all = await octokit.paginate(octokit.rest.pulls.list, {
      owner,
      repo,
      state: 'all',
      per_page: 2,
    });
    expect(numbers(all)).toEqual(
      forge.pulls.map(p => p.number).sort((x, y) => y - x),
    );
    expect(forge.calls['GET /repos/:owner/:repo/pulls'] - calls).toBe(
      Math.ceil(forge.pulls.length / 2),
    );
    await expect(
      octokit.rest.pulls.list({ owner, repo, state: 'merged' as any }),
    ).rejects.toMatchObject({ status: 422 });
  });

  it('opens a pull request from files, as a person would, that merges into main', async () => {
    const pr = await forge.openPullRequest('platform', 'gitops', {
      head: 'by-hand',
      files: { 'by-hand.yaml': 'h: 1\n' },
      title: 'By hand',
    });
    const read = await octokit.rest.pulls.get({
      owner: 'platform',
      repo: 'gitops',
      pull_number: pr.number,
    });
    expect(read.data).toMatchObject({
      state: 'open',
      title: 'By hand',
      head: { ref: 'by-hand' },
      base: { ref: 'main' },
    });
    expect((await forge.pullFiles(pr)).map(f => f.filename)).toEqual([
      'by-hand.yaml',
    ]);
    await forge.merge('platform', 'gitops', pr.number);
    expect((await forge.readFiles('platform', 'gitops'))['by-hand.yaml']).toBe(
      'h: 1\n',
    );
  });

  it('refuses an existing ref and paths that escape the tree', async () => {
    const {
      data: [latest],
    } = await octokit.request('GET /repos/{owner}/{repo}/commits', {
      owner: 'platform',
      repo: 'gitops',
      sha: 'main',
      per_page: 1,
    });
    await expect(
      octokit.rest.git.createRef({
        owner: 'platform',
        repo: 'gitops',
        ref: 'refs/heads/main',
        sha: latest.sha,
      }),
    ).rejects.toMatchObject({ status: 422 });
    await expect(
      octokit.rest.git.createTree({
        owner: 'platform',
        repo: 'gitops',
        tree: [{ path: '../x', mode: '100644', content: 'x' }],
      }),
    ).rejects.toMatchObject({ status: 422 });
    await expect(
      octokit.rest.repos.get({ owner: 'platform', repo: 'nope' }),
    ).rejects.toMatchObject({ status: 404 });
  });
});
