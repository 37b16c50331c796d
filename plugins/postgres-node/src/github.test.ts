import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { ForgeStandIn } from '@bizmatters/sandbox';
import { GithubReader } from './github';

describe('GithubReader against the forge stand-in (GitHub REST)', () => {
  let forge: ForgeStandIn;
  let github: GithubReader;
  const repository = () => ({
    host: forge.host,
    owner: 'platform',
    repo: 'gitops',
  });
  beforeAll(async () => {
    forge = await ForgeStandIn.start();
    await forge.createRepo('platform', 'gitops', {
      'databases/ns/db/postgresinstance.yaml': 'kind: PostgresInstance\n',
    });
    for (const head of ['postgres/ns/a', 'postgres/ns/b', 'other']) {
      await forge.openPullRequest('platform', 'gitops', {
        head,
        files: { [`${head}.yaml`]: 'x: 1\n' },
        title: `Add ${head}`,
      });
    }
    github = new GithubReader({
      integrations: ScmIntegrations.fromConfig(
        new ConfigReader({
          integrations: { github: [forge.backstageIntegration()] },
        }),
      ),
    });
  });
  afterAll(() => forge.stop());

  it('reads a file on a branch with its page, and a missing one as undefined', async () => {
    const file = await github.readFile(
      repository(),
      'databases/ns/db/postgresinstance.yaml',
      'main',
    );
    expect(file?.text).toBe('kind: PostgresInstance\n');
    expect(file?.url).toContain('/platform/gitops/');
    await expect(
      github.readFile(repository(), 'nothing/here.yaml', 'main'),
    ).resolves.toBeUndefined();
  });

  it('lists open pull requests, by head, and a pull request with its files', async () => {
    const pages: number[] = [];
    const open = await github.pulls(
      repository(),
      { state: 'open', base: 'main' },
      { maxPages: 10, onPage: () => pages.push(1) },
    );
    expect(open.map(p => p.head?.ref).sort()).toEqual([
      'other',
      'postgres/ns/a',
      'postgres/ns/b',
    ]);
    expect(pages).toHaveLength(1);
    const [b] = await github.pulls(
      repository(),
      { head: 'platform:postgres/ns/b' },
      { maxPages: 1 },
    );
    expect(b.head?.ref).toBe('postgres/ns/b');
    expect((await github.pull(repository(), b.number)).title).toBe(
      'Add postgres/ns/b',
    );
    expect(
      await github.pullFiles(repository(), b.number, { max: 300 }),
    ).toEqual([{ filename: 'postgres/ns/b.yaml', status: 'added' }]);
  });

  it('retries a 5xx and a 429 from the forge, and gives up on a refusal', async () => {
    const route = 'GET /repos/:owner/:repo/pulls/:number';
    const [pr] = await github.pulls(repository(), {}, { maxPages: 1 });
    const before = forge.calls[route] ?? 0;
    forge.failNext(route, 502, 'Bad Gateway');
    forge.failNext(route, 429, 'Too Many Requests');
    await expect(github.pull(repository(), pr.number)).resolves.toMatchObject({
      number: pr.number,
    });
    expect(forge.calls[route] - before).toBe(3);

    forge.failNext(route, 422, 'Validation Failed');
    await expect(github.pull(repository(), pr.number)).rejects.toMatchObject({
      status: 422,
    });
    expect(forge.calls[route] - before).toBe(4);
  }, 60_000);

  it("sends the integration's credentials to its own API only (a page elsewhere is refused)", async () => {
    const octokit = github.octokit(repository());
    await expect(
      octokit.request('GET https://elsewhere.example/api/v3/repos/o/r/pulls'),
    ).rejects.toThrow(/Refusing to send .* credentials outside its API/);
    await expect(
      octokit.request(`GET ${forge.apiBaseUrl}/repos/platform/gitops/pulls`),
    ).resolves.toMatchObject({ status: 200 });
  });

  it('says which host has no integration', () => {
    expect(() =>
      github.octokit({ host: 'elsewhere.example', owner: 'o', repo: 'r' }),
    ).toThrow(/No GitHub integration .* elsewhere.example/);
  });
});
