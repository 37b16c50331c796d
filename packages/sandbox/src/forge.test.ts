import { Octokit } from '@octokit/rest';
import { ForgeStandIn } from './forge';

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
    expect(after.data.merged).toBe(true);
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
