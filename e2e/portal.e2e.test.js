/*
 * The whole flow in a real browser (Debian's Chromium driven by playwright-core) against the
 * local portal started as `npm start` starts it: fill "New Postgres DB", see the task succeed
 * with a pull request link, merge it in the forge, watch the database turn healthy on the
 * service's entity page, and see the broken service's failing hop with its hint; log in to both
 * databases with their connection secrets, as an application would (the healthy one accepts,
 * the broken one refuses); the form's choices come from the backend and a reserved owner is
 * refused at its field; then type a password in the form and find it in SSM and nowhere in
 * the browser's responses or the logs.
 * Screenshots go to artifacts/e2e/. Run with `npm run test:e2e`.
 */
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { SSMClient, GetParameterCommand } = require('@aws-sdk/client-ssm');
const { waitFor, waitForGuestSignIn } = require('../scripts/waitFor');
const { launchChromium } = require('../scripts/chromium');

const root = path.resolve(__dirname, '..');
const PRODUCTION = Boolean(process.env.E2E_PRODUCTION);
const artifacts = path.join(
  root,
  'artifacts',
  PRODUCTION ? 'e2e-production' : 'e2e',
);
const APP = 'http://localhost:3000';

let portal;
let browser;
let page;
let prUrl;
const bodies = [];
/** The signed-in user's token, as the app sends it to the backend. */
let userToken;

async function shot(name) {
  await page.mouse.move(1300, 900); // keep the sidebar collapsed
  await page.waitForTimeout(500); // (it closes with a transition)
  await page.screenshot({
    path: path.join(artifacts, `${name}.png`),
    fullPage: true,
  });
}

before(async () => {
  fs.mkdirSync(artifacts, { recursive: true });
  // E2E_PORTAL_RUNNING=1: use a portal already started with `npm start` (for debugging)
  if (!process.env.E2E_PORTAL_RUNNING)
    portal = spawn(
      process.execPath,
      [
        path.join(root, 'scripts/start.js'),
        // E2E_PRODUCTION=1: the backend on PostgreSQL and Redis (app-config.production.yaml)
        ...(PRODUCTION ? ['--production'] : []),
      ],
      {
        cwd: root,
        env: { ...process.env, SANDBOX_STEP_MS: '300' },
        stdio: [
          'ignore',
          fs.openSync(path.join(artifacts, 'portal.log'), 'w'),
          fs.openSync(path.join(artifacts, 'portal.log'), 'a'),
        ],
        detached: true,
      },
    );
  // a portal that exits (say, a port already taken by another one) fails the run at once,
  // rather than letting the tests talk to whatever else answers on those ports
  const exited = portal
    ? new Promise((_, reject) =>
        portal.once('exit', code =>
          reject(
            new Error(
              `the portal exited with ${code} before it was ready; see ${artifacts}/portal.log`,
            ),
          ),
        ),
      )
    : new Promise(() => {});
  exited.catch(() => {});
  await Promise.race([exited, startedAndSignedIn()]);
});

async function startedAndSignedIn() {
  await waitFor(
    'http://localhost:7007/api/postgres/health',
    'the backend',
    300_000,
  );
  await waitForGuestSignIn('http://localhost:7007', 300_000);
  await waitFor(APP, 'the app', 300_000);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(Number(process.env.E2E_TIMEOUT_MS ?? 60_000));
  page.on('request', req => {
    const auth = req.headers().authorization;
    if (
      req.url().startsWith('http://localhost:7007') &&
      auth?.startsWith('Bearer ')
    )
      userToken = auth.slice('Bearer '.length);
  });
  page.on('response', async res => {
    if (!res.url().startsWith('http://localhost:7007')) return;
    try {
      bodies.push(await res.text());
    } catch {
      /* redirects and aborted requests have no body */
    }
  });
}

after(async () => {
  await browser?.close();
  if (portal) {
    try {
      process.kill(-portal.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    // wait until the portal's ports are free, so that a next run can take them
    const answers = url =>
      fetch(url).then(
        () => true,
        () => false,
      );
    const listens = port =>
      new Promise(resolve => {
        const socket = net.connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
    for (const open of [
      () => answers('http://localhost:7007/api/postgres/health'),
      () => answers(APP),
      () => answers('http://127.0.0.1:7020/platform/gitops/pulls'),
      () => listens(7040), // the sandbox's PostgreSQL
    ]) {
      for (let i = 0; i < 60; i++) {
        if (!(await open())) break;
        await new Promise(r => setTimeout(r, 500));
      }
    }
  }
});

/**
 * The folder of a database's SSM parameters. The sandbox portal's pattern has the claim's name
 * in it (app-config.sandbox.yaml: several databases per service); the seeded databases keep
 * the seed's paths, which their ExternalSecrets name.
 */
const requestedSsm = (environment, service, name) =>
  `/zerotouch/${environment}/${service}/${name}/postgres`;
const seededSsm = (environment, service) =>
  `/zerotouch/${environment}/${service}/postgres`;

/** A password as the SSM stand-in holds it, e.g. `ssmPassword(seededSsm('prod', 'billing'))`. */
async function ssmPassword(folder) {
  const ssm = new SSMClient({
    region: 'eu-west-1',
    endpoint: 'http://127.0.0.1:7010',
    credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
  });
  const out = await ssm.send(
    new GetParameterCommand({
      Name: `${folder}/password`,
      WithDecryption: true,
    }),
  );
  return out.Parameter.Value;
}

/** Opens "New Postgres DB", picks the service, goes to the next page (Placement). */
async function openFormFor(service) {
  await page.goto(`${APP}/create/templates/default/new-postgres-db`);
  await page.getByRole('textbox', { name: /Service/ }).click();
  await page.getByRole('textbox', { name: /Service/ }).fill(service);
  await page.getByRole('option', { name: new RegExp(service) }).click();
  await page.getByRole('button', { name: 'Next' }).click();
}

/** The sandbox forge's platform/gitops repository: the only one allowed, chosen by itself. */
async function pickGitopsRepository() {
  const picker = page.getByRole('button', { name: /GitOps repository/ });
  await picker.waitFor();
  await page
    .getByText('localhost:7020/platform/gitops (pull requests to main)')
    .waitFor();
}

/** On Placement: the namespace (environment dev, the GitOps repository chosen by itself), then the Database page. */
async function placeIn(namespace) {
  await page.getByRole('textbox', { name: /Namespace/ }).fill(namespace);
  await pickGitopsRepository();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('textbox', { name: 'Database name (claim)' }).waitFor();
}

/** The availability said under the claim name. */
const nameAvailability = () =>
  page.getByRole('status', { name: 'Availability of name' });

test('sign in as guest', async () => {
  await page.goto(APP);
  await page.getByRole('button', { name: 'Enter' }).click();
  await page.getByText('agent-executor').first().waitFor();
});

test('fill "New Postgres DB", submit, see the task succeed with a pull request link', async () => {
  const policy = page.waitForResponse(
    r => r.url().endsWith('/api/postgres/v1/policy') && r.status() === 200,
  );
  await openFormFor('orders');

  // where first: the environment says where the credentials go (the sandbox's pattern has
  // {name}: each database its own), then the namespace and the GitOps repository
  await page
    .getByText(
      'Credentials go to AWS SSM under /zerotouch/{environment}/{service}/{name}/postgres/{key}: each database has its own parameters.',
    )
    .waitFor();
  await page.getByRole('textbox', { name: /Namespace/ }).fill('orders');
  await pickGitopsRepository();
  await shot('01-form-placement');
  await page.getByRole('button', { name: 'Next' }).click();

  // the size, version and environment lists come from the backend's policy route (app-config)
  await page.getByRole('button', { name: /^Size/ }).click();
  await page
    .getByRole('option', {
      name: /Medium: 500m–2000m CPU.*reserves 500m CPU and 512Mi memory/,
    })
    .waitFor();
  await page.keyboard.press('Escape');
  // the form asked the backend's policy route for them; it serves app-config's lists
  assert.deepEqual((await (await policy).json()).versions, [
    '14',
    '15',
    '16',
    '17',
    '18',
  ]);

  // the claim name, left empty (orders-db), is free: the route answered for the whole request
  await nameAvailability().getByText('Available.').waitFor();
  await nameAvailability()
    .getByText('/zerotouch/dev/orders/orders-db/postgres/user')
    .waitFor();

  // a reserved owner is refused at the field, as typed, and "Review" stays on this page
  const owner = page.getByRole('textbox', { name: 'Database owner' });
  await owner.fill('postgres');
  await page
    .getByText(/'postgres' is reserved for CloudNative-PG/)
    .first()
    .waitFor();
  await page.getByRole('button', { name: 'Review' }).click();
  // refused by the field's validation on "Review": listed at the top, said under the field
  await page
    .getByText(
      "'Database owner' 'postgres' is reserved for CloudNative-PG; choose an application user, e.g. 'orders_app'.",
    )
    .waitFor();
  assert.equal(
    await page.getByRole('button', { name: 'Create' }).count(),
    0,
    '"Review" went on with a reserved owner',
  );
  await shot('01-form-reserved-owner');
  await owner.fill('');

  // storage within the platform's bounds (from the policy route, not the template)
  const storage = page.getByRole('spinbutton', { name: /Storage/ });
  await storage.fill('5');
  await page
    .getByText('5 GB is out of range; choose between 10 and 1000 GB.')
    .waitFor();
  await storage.fill('10');
  await nameAvailability().getByText('Available.').waitFor();
  await shot('01-form-database');
  await page.getByRole('button', { name: 'Review' }).click();
  await shot('03-form-review');
  await page.getByRole('button', { name: 'Create' }).click();

  const prLink = page.getByRole('link', { name: 'Pull request' });
  await prLink.waitFor({ timeout: 120_000 });
  await shot('04-task-completed');
  const href = await prLink.getAttribute('href');
  assert.match(
    href,
    /^http:\/\/127\.0\.0\.1:7020\/platform\/gitops\/pull\/\d+$/,
  );
  prUrl = href;
});

test("before the merge, the service's tab shows the request with its pull request link", async () => {
  await page.goto(`${APP}/catalog/default/component/orders/databases`);
  const requests = page.getByRole('list', { name: 'Requested databases' });
  await requests.waitFor({ timeout: 60_000 });
  await requests.getByText('orders-db', { exact: true }).waitFor();
  await requests.getByText(/^Requested — pull request #\d+ open$/).waitFor();
  await requests.getByText(/Requested by guest/).waitFor();
  const link = requests.getByRole('link', { name: /^Pull request #\d+/ });
  assert.equal(await link.getAttribute('href'), prUrl);
  await shot('04b-orders-requested');
});

test('merge the pull request in the forge', async () => {
  await page.goto(prUrl);
  await page
    .getByRole('heading', {
      name: /databases\/orders\/orders-db\/postgresinstance\.yaml/,
    })
    .waitFor();
  await shot('05-pull-request');
  await page.getByRole('button', { name: 'Merge pull request' }).click();
  await page.getByText('Merged', { exact: true }).waitFor();
});

test('the new database reaches "healthy" on the service entity page', async () => {
  await page.goto(`${APP}/catalog/default/component/orders/databases`);
  const steps = page.getByRole('list', { name: 'Health of orders-db' });
  await steps.waitFor();
  await page
    .getByText('Healthy', { exact: true })
    .first()
    .waitFor({ timeout: 90_000 });
  // the request's times, with the time from "Create" to healthy
  await page
    .getByLabel('Request of orders-db')
    .getByText(/time to healthy \d+/)
    .waitFor({ timeout: 60_000 });
  assert.equal(
    await page.getByRole('list', { name: 'Requested databases' }).count(),
    0,
    'the request is still listed apart from its database',
  );
  await shot('06-orders-databases-healthy');
  const text = await steps.textContent();
  assert.match(text, /Cluster in healthy state/);
  // every hop's message is shown whole, not clipped at the column's edge
  const clipped = await steps.locator('li').evaluateAll(items =>
    items
      .flatMap(li => [li, ...li.querySelectorAll('*')])
      .filter(
        e =>
          ['hidden', 'clip'].includes(getComputedStyle(e).overflowX) &&
          e.scrollWidth > e.clientWidth + 1,
      )
      .map(e => e.textContent),
  );
  assert.deepEqual(clipped, []);
});

test('day-2 from the Databases tab: grow orders-db to 30 GB, merge, see it', async () => {
  await page.goto(`${APP}/catalog/default/component/orders/databases`);
  await page.getByRole('list', { name: 'Health of orders-db' }).waitFor();
  await page.getByRole('button', { name: 'Change…' }).click();
  await page.getByRole('menuitem', { name: 'Grow storage' }).click();
  // the change template, with the service, the database and its current values filled in
  await page
    .getByRole('textbox', { name: /Database name \(claim\)/ })
    .waitFor();
  assert.equal(
    await page
      .getByRole('textbox', { name: /Database name \(claim\)/ })
      .inputValue(),
    'orders-db',
  );
  await pickGitopsRepository();
  await shot('20-change-form-database');
  await page.getByRole('button', { name: 'Next' }).click();
  const storage = page.getByRole('spinbutton', { name: /New storage/ });
  await storage.waitFor();
  assert.equal(await storage.inputValue(), '10');
  // today's 10 GB is not a change: said as typed, and "Review" stays
  await page
    .getByText('The database already has 10 GB; enter more to grow it.')
    .waitFor();
  await page.getByRole('button', { name: 'Review' }).click();
  await page
    .locator('#root_storageGB__error', { hasText: 'already has 10 GB' })
    .waitFor();
  assert.equal(await page.getByRole('button', { name: 'Create' }).count(), 0);
  await shot('21a-change-form-same-storage');
  await storage.fill('30');
  await page.getByText(/Today 10 GB; at most 1000 GB\./).waitFor();
  await shot('21-change-form-grow');
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();
  const prLink = page.getByRole('link', { name: 'Pull request' });
  await prLink.waitFor({ timeout: 120_000 });
  await page
    .getByText(/storageGB: 30/)
    .first()
    .waitFor();
  await shot('22-change-task-completed');
  await page.goto(await prLink.getAttribute('href'));
  await page
    .getByText('Grow storage of orders/orders-db from 10 GB to 30 GB')
    .first()
    .waitFor();
  await page.getByRole('button', { name: 'Merge pull request' }).click();
  await page.getByText('Merged', { exact: true }).waitFor();

  await page.goto(`${APP}/catalog/default/component/orders/databases`);
  await page.getByRole('list', { name: 'Health of orders-db' }).waitFor();
  await page.getByText('30 GB', { exact: true }).waitFor({ timeout: 90_000 });
  await shot('23-orders-grown');
});

test('the form refuses a taken name, an existing database and a reserved owner before "Create"; a second database for orders works with {name} in the SSM path', async () => {
  await openFormFor('orders');
  await placeIn('billing');
  const name = page.getByRole('textbox', { name: 'Database name (claim)' });
  const review = page.getByRole('button', { name: 'Review' });
  const create = page.getByRole('button', { name: 'Create' });

  // billing's database, in its namespace: another component's, so taken (and not whose)
  await name.fill('billing-db');
  const taken = /Another database named billing\/billing-db/;
  await nameAvailability().getByText(taken).waitFor();
  assert.doesNotMatch(
    await nameAvailability().textContent(),
    /component:default\/billing|team-agents/,
  );
  await shot('30-form-taken-name');
  await review.click();
  // refused: the form lists it at the top, the field says it under the name
  await page
    .getByText(new RegExp(`'Database name \\(claim\\)' ${taken.source}`))
    .waitFor();
  assert.equal(await create.count(), 0, '"Review" went on with a taken name');

  // orders' own namespace, the default name: orders-db exists (merged above), with its link
  await page.getByRole('button', { name: 'Back' }).click();
  await page.getByRole('textbox', { name: /Namespace/ }).fill('orders');
  await page.getByRole('button', { name: 'Next' }).click();
  await name.fill('');
  await nameAvailability()
    .getByText(/The database orders\/orders-db already exists/)
    .waitFor();
  const link = nameAvailability().getByRole('link', {
    name: /Open the existing database/,
  });
  assert.match(await link.getAttribute('href'), /orders-db/);
  await shot('31-form-exists');
  await review.click();
  await page
    .getByText(
      /'Database name \(claim\)' The database orders\/orders-db already/,
    )
    .waitFor();
  assert.equal(await create.count(), 0, '"Review" went on with orders-db');

  // a second database: its own name; the default connection secret is orders-db's
  await name.fill('orders-reports');
  const secretTaken =
    /The secret orders-postgres in orders is already used by orders\/orders-db/;
  await page
    .getByRole('status', { name: 'Availability of connectionSecretName' })
    .getByText(secretTaken)
    .waitFor();
  await shot('32-form-connection-secret-taken');
  await page
    .getByRole('textbox', { name: /^Connection secret/ })
    .fill('orders-reports-postgres');

  // a reserved owner, refused at its field
  const owner = page.getByRole('textbox', { name: 'Database owner' });
  await owner.fill('pg_reports');
  await page
    .getByText(/Names starting with 'pg_' are reserved/)
    .first()
    .waitFor();
  await review.click();
  await page
    .getByText(/'Database owner' Names starting with 'pg_' are reserved/)
    .waitFor();
  assert.equal(await create.count(), 0, '"Review" went on with pg_reports');
  await shot('33-form-reserved-owner');
  await owner.fill('orders_reports');
  await page
    .getByRole('textbox', { name: 'Application database' })
    .fill('orders_reports');
  await page.getByRole('spinbutton', { name: /Storage/ }).fill('10');

  // free, with its own SSM parameters (the pattern has {name})
  await nameAvailability().getByText('Available.').waitFor();
  await nameAvailability()
    .getByText('/zerotouch/dev/orders/orders-reports/postgres/user')
    .waitFor();
  await shot('34-form-second-database');
  await review.click();
  await create.click();
  const prLink = page.getByRole('link', { name: 'Pull request' });
  await prLink.waitFor({ timeout: 120_000 });
  await shot('35-second-database-task');
  assert.ok(
    await ssmPassword(requestedSsm('dev', 'orders', 'orders-reports')),
    'its own SSM password',
  );
  await page.goto(await prLink.getAttribute('href'));
  await page.getByRole('button', { name: 'Merge pull request' }).click();
  await page.getByText('Merged', { exact: true }).waitFor();

  // both of orders' databases on its tab, the second one healthy too
  await page.goto(`${APP}/catalog/default/component/orders/databases`);
  await page.getByRole('list', { name: 'Health of orders-reports' }).waitFor({
    timeout: 90_000,
  });
  await page.getByRole('list', { name: 'Health of orders-db' }).waitFor();
  await page
    .getByRole('list', { name: 'Health of orders-reports' })
    .getByText('Cluster in healthy state')
    .waitFor({ timeout: 90_000 });
  await shot('36-orders-two-databases');
});

test('the merged database is a catalog Resource, owned by the team and a dependency of orders', async () => {
  const ref = 'resource:default/orders-db.orders.sandbox-a';
  // the provider refreshes every 15 s in the sandbox
  let entity;
  for (let i = 0; i < 60 && !entity; i++) {
    const res = await fetch(
      'http://localhost:7007/api/catalog/entities/by-name/resource/default/orders-db.orders.sandbox-a',
      { headers: { authorization: `Bearer ${userToken}` } },
    );
    if (res.ok) entity = await res.json();
    else await new Promise(r => setTimeout(r, 1000));
  }
  assert.ok(entity, `${ref} did not appear in the catalog`);
  assert.equal(entity.spec.type, 'database');
  assert.equal(entity.spec.owner, 'group:default/team-agents');
  assert.deepEqual(entity.spec.dependencyOf, ['component:default/orders']);
  assert.ok(
    entity.relations.some(
      r =>
        r.type === 'dependencyOf' && r.targetRef === 'component:default/orders',
    ),
  );
  // its page has the Databases card, with the database's verdict
  await page.goto(`${APP}/catalog/default/resource/orders-db.orders.sandbox-a`);
  const table = page.getByRole('table', { name: 'PostgreSQL databases' });
  await table.waitFor();
  await table
    .getByText('Healthy', { exact: true })
    .waitFor({ timeout: 60_000 });
  await shot('24-orders-db-resource');
});

test('the broken service shows its failing hop and the hint', async () => {
  await page.goto(`${APP}/catalog/default/component/billing`);
  const table = page.getByRole('table', { name: 'PostgreSQL databases' });
  await table.waitFor();
  await page
    .getByText(/differs from the database owner 'billing_app'/)
    .waitFor();
  await shot('07-billing-overview-broken');
  const text = await table.textContent();
  assert.match(text, /Failed/);
  assert.match(
    text,
    /Credentials secret: The secret's username 'billing-app' differs/,
  );
  assert.match(text, /Make them equal/);
});

test('a hibernated database and one failing over say what they are and what to do', async () => {
  // inventory: cnpg.io/hibernation=on; CNPG keeps "Cluster in healthy state" with no pod
  await page.goto(`${APP}/catalog/default/component/inventory/databases`);
  const inventory = page.getByRole('list', { name: 'Health of inventory-db' });
  await inventory
    .getByText(/Hibernated on purpose/)
    .waitFor({ timeout: 90_000 });
  await shot('13-inventory-hibernated');
  let text = await page.locator('body').textContent();
  assert.match(text, /Degraded/);
  assert.match(await inventory.textContent(), /cnpg\.io\/hibernation-/);
  assert.doesNotMatch(text, /Healthy/);

  // search: three instances, the primary lost, the failover not finished
  await page.goto(`${APP}/catalog/default/component/search/databases`);
  const search = page.getByRole('list', { name: 'Health of search-db' });
  await search.getByText(/Failing over/).waitFor({ timeout: 90_000 });
  await shot('14-search-failing-over');
  text = await search.textContent();
  assert.match(text, /FailingOver/);
  assert.match(text, /Writes fail until a new primary is up/);
  assert.match(await page.locator('body').textContent(), /Degraded/);
});

/** Every PostgresInstance claim in the sandbox's clusters, read from their API servers. */
async function sandboxClaims() {
  const out = [];
  for (const [cluster, port] of [
    ['sandbox-a', 7030],
    ['sandbox-b', 7031],
  ]) {
    const res = await fetch(
      `http://127.0.0.1:${port}/apis/database.bizmatters.io/v1alpha1/postgresinstances`,
      { headers: { authorization: 'Bearer sandbox-token' } },
    );
    assert.equal(res.status, 200, `claims of ${cluster}`);
    for (const claim of (await res.json()).items)
      out.push({
        cluster,
        namespace: claim.metadata.namespace,
        name: claim.metadata.name,
        entityRef: claim.metadata.annotations?.['bizmatters.io/entity-ref'],
        version: claim.spec.version,
      });
  }
  return out;
}

/** The fleet table's rows as the page shows them: name, its Resource's link, status, failing hop, entity link, cluster, namespace. */
async function fleetRows() {
  return page.locator('table tbody tr').evaluateAll(rows =>
    rows
      .map(row => [...row.querySelectorAll('td')])
      .filter(cells => cells.length >= 6)
      .map(cells => {
        const [cluster, namespace] = cells[0]
          .querySelector('span')
          .textContent.split(' · ');
        return {
          name: cells[0].querySelector('p')?.textContent,
          status: cells[1].querySelector('span')?.textContent,
          resource: cells[0].querySelector('a')?.getAttribute('href') ?? null,
          problem: cells[1].querySelector('div')?.textContent ?? '',
          entity: cells[2].querySelector('a')?.getAttribute('href') ?? null,
          cluster,
          namespace,
        };
      }),
  );
}

/** The count the fleet page shows for a verdict, e.g. `await verdictCount('Healthy')`. */
async function verdictCount(label) {
  const button = page
    .getByRole('group', { name: 'Databases by verdict' })
    .getByRole('button', { name: new RegExp(`^${label}: `) });
  return Number((await button.getAttribute('aria-label')).split(': ')[1]);
}

/** Picks `option` in the fleet page's select filter `label`. */
async function chooseFilter(label, option) {
  await page.getByRole('button', { name: new RegExp(`^${label} `) }).click();
  await page
    .getByRole('listbox')
    .getByRole('option', { name: option, exact: true })
    .click();
}

test('the fleet page (nav "Databases") lists every database the guest may see with its verdict; its counts and filters work', async () => {
  await page.goto(`${APP}/catalog`);
  await page.getByRole('link', { name: 'Databases' }).first().click();
  await page.waitForURL(`${APP}/databases`);
  await page.getByText(/ of \d+ databases$/).waitFor();
  // the guest (team-agents) is not the platform team: the page says what they see
  await page
    .getByText(/You see the databases of the entities you may read/)
    .waitFor();

  // every claim in the sandbox's clusters, but payments' (team-payments), once
  const claims = await sandboxClaims();
  const expected = claims
    .filter(c => c.entityRef !== 'component:default/payments')
    .map(c => `${c.cluster}/${c.namespace}/${c.name}`)
    .sort();
  assert.ok(claims.some(c => c.name === 'payments-db'));
  assert.ok(expected.length >= 5, expected.join(', '));
  // (orders-db was just grown: Refresh until the sandbox's controllers have settled it)
  for (let i = 0; i < 60; i++) {
    const status = (await fleetRows()).find(
      r => r.name === 'orders-db',
    )?.status;
    if (status === 'Healthy') break;
    await page.waitForTimeout(1000);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByText(/ of \d+ databases$/).waitFor();
  }
  let rows = await fleetRows();
  assert.deepEqual(
    rows.map(r => `${r.cluster}/${r.namespace}/${r.name}`).sort(),
    expected,
  );
  await page.setViewportSize({ width: 1400, height: 1300 });
  await shot('15-fleet-page');
  await page.setViewportSize({ width: 1400, height: 1000 });

  // each with its verdict, as its entity page says, and linked to its entity
  const verdicts = Object.fromEntries(rows.map(r => [r.name, r.status]));
  assert.equal(verdicts['agent-executor-db'], 'Healthy');
  assert.equal(verdicts['orders-db'], 'Healthy');
  assert.equal(verdicts['billing-db'], 'Failed');
  assert.equal(verdicts['inventory-db'], 'Degraded');
  assert.equal(verdicts['search-db'], 'Degraded');
  for (const r of rows) {
    const claim = claims.find(
      c => c.namespace === r.namespace && c.name === r.name,
    );
    const [kind, rest] = claim.entityRef.split(':');
    const [namespace, name] = rest.split('/');
    assert.equal(r.entity, `/catalog/${namespace}/${kind}/${name}`);
    // the name links to the database's own Resource (short sandbox names: name.namespace.cluster)
    assert.equal(
      r.resource,
      `/catalog/default/resource/${r.name}.${r.namespace}.${r.cluster}`,
    );
  }
  // the counts at the top are the rows' verdicts
  for (const label of [
    'Healthy',
    'Progressing',
    'Degraded',
    'Failed',
    'Unknown',
  ])
    assert.equal(
      await verdictCount(label),
      rows.filter(r => r.status === label).length,
      label,
    );

  // a count filters by its verdict
  await page.getByRole('button', { name: /^Failed: / }).click();
  rows = await fleetRows();
  assert.deepEqual(
    rows.map(r => r.name),
    ['billing-db'],
  );
  await shot('16-fleet-failed');
  await page.getByRole('button', { name: 'Clear filters' }).click();

  // the namespace, the cluster, the owner and the version
  await chooseFilter('Namespace', 'inventory');
  assert.deepEqual(
    (await fleetRows()).map(r => r.name),
    ['inventory-db'],
  );
  assert.equal(await verdictCount('Degraded'), 1);
  assert.equal(await verdictCount('Healthy'), 0);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await chooseFilter('Cluster', 'sandbox-a');
  assert.equal(
    (await fleetRows()).length,
    expected.filter(e => e.startsWith('sandbox-a/')).length,
  );
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await chooseFilter('Owner', 'team-agents');
  assert.equal((await fleetRows()).length, expected.length);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  const visible = claims.filter(
    c => c.entityRef !== 'component:default/payments',
  );
  for (const version of new Set(visible.map(c => c.version))) {
    await chooseFilter('Version', version);
    assert.deepEqual(
      (await fleetRows()).map(r => r.name).sort(),
      visible
        .filter(c => c.version === version)
        .map(c => c.name)
        .sort(),
      `version ${version}`,
    );
    await page.getByRole('button', { name: 'Clear filters' }).click();
  }

  // the search
  await page.getByRole('textbox', { name: 'Search' }).fill('search');
  assert.deepEqual(
    (await fleetRows()).map(r => r.name),
    ['search-db'],
  );
  await page
    .getByRole('textbox', { name: 'Search' })
    .fill('nothing-is-called-this');
  await page.getByText('No database matches these filters').waitFor();
  await page.getByRole('button', { name: 'Clear filters' }).click();

  // a row's entity link opens the entity's page
  await page.getByRole('link', { name: 'billing', exact: true }).click();
  await page.waitForURL(`${APP}/catalog/default/component/billing`);
});

test('the fleet page with 10,000 databases shows one page of them, counts and filters them all in the browser', async t => {
  // the sandbox's real answer, its healthy and its failed database each copied 5,000 times
  assert.ok(userToken, 'the app sent a token');
  const real = await fetch('http://localhost:7007/api/postgres/v1/databases', {
    headers: { authorization: `Bearer ${userToken}` },
  }).then(r => r.json());
  const healthy = real.items.find(i => i.health.verdict === 'healthy');
  const failed = real.items.find(i => i.health.verdict === 'failed');
  const items = Array.from({ length: 10_000 }, (_, i) => ({
    ...(i % 2 ? failed : healthy),
    cluster: `cluster-${i % 3}`,
    namespace: `ns-${i % 50}`,
    name: `db-${String(i).padStart(5, '0')}`,
  }));
  const body = JSON.stringify({ items, errors: [] });
  const fleetUrl = 'http://localhost:7007/api/postgres/v1/databases';
  await page.route(fleetUrl, route =>
    route.fulfill({ contentType: 'application/json', body }),
  );
  try {
    let start = Date.now();
    await page.goto(`${APP}/databases`);
    await page.getByText('10000 of 10000 databases').waitFor();
    const shown = Date.now() - start;
    assert.equal((await fleetRows()).length, 25);
    assert.equal(await verdictCount('Healthy'), 5000);
    assert.equal(await verdictCount('Failed'), 5000);

    start = Date.now();
    await chooseFilter('Cluster', 'cluster-1');
    await page.getByText('3333 of 10000 databases').waitFor();
    const filtered = Date.now() - start;
    assert.equal((await fleetRows())[0].name, 'db-00001');

    start = Date.now();
    await page.getByRole('textbox', { name: 'Search' }).fill('db-0999');
    // cluster-1 (i % 3 = 1) and "db-0999": 9991, 9994 and 9997
    await page.getByText('3 of 10000 databases').waitFor();
    const searched = Date.now() - start;
    assert.deepEqual(
      (await fleetRows()).map(r => r.name),
      ['db-09991', 'db-09994', 'db-09997'],
    );
    await shot('18-fleet-10000');
    t.diagnostic(
      `10,000 databases in Chromium: first page shown ${shown} ms after navigation, cluster filter ${filtered} ms, search ${searched} ms`,
    );
  } finally {
    await page.unroute(fleetUrl);
  }
});

test('"New database" on the card and on the tab opens the template with the component filled in', async () => {
  for (const [from, component] of [
    [`${APP}/catalog/default/component/agent-executor`, 'agent-executor'],
    [`${APP}/catalog/default/component/billing/databases`, 'billing'],
  ]) {
    await page.goto(from);
    await page.getByRole('button', { name: 'New database' }).first().click();
    await page.waitForURL(
      /\/create\/templates\/default\/new-postgres-db\?formData=/,
    );
    const formData = JSON.parse(
      new URL(page.url()).searchParams.get('formData'),
    );
    assert.deepEqual(formData, { component: `component:default/${component}` });
    const service = page.getByRole('textbox', { name: /Service/ });
    await service.waitFor();
    await page.waitForFunction(
      name =>
        [...document.querySelectorAll('input')].some(i =>
          i.value.includes(name),
        ),
      component,
    );
    assert.match(await service.inputValue(), new RegExp(component));
    await shot(`17-new-database-from-${component}`);
  }
});

/**
 * A connection secret's five keys, read from the sandbox's cluster as an application gets them
 * (POSTGRES_HOST, _PORT, _DB, _USER and _PASSWORD from endpoint, port, database, username and
 * password), as node-postgres' connection settings.
 */
async function connectionSecret(namespace, name) {
  const res = await fetch(
    `http://127.0.0.1:7030/api/v1/namespaces/${namespace}/secrets/${name}`,
    { headers: { authorization: 'Bearer sandbox-token' } },
  );
  assert.equal(res.status, 200, `secret ${namespace}/${name}`);
  const { data } = await res.json();
  const value = key => Buffer.from(data[key], 'base64').toString('utf8');
  return {
    host: value('endpoint'),
    port: Number(value('port')),
    database: value('database'),
    user: value('username'),
    password: value('password'),
  };
}

/** Logs in and runs a query: its row, or `{ refused: <SQLSTATE> }` (never the password). */
async function login(config) {
  const { Client } = require('pg');
  const client = new Client({ ...config, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query(
      'select current_user, current_database()',
    );
    return rows[0];
  } catch (e) {
    return { refused: e.code ?? e.message };
  } finally {
    await client.end().catch(() => {});
  }
}

test("the healthy database accepts its connection secret's credentials, the broken one refuses them", async () => {
  const logFile = path.join(artifacts, 'portal.log');
  if (fs.existsSync(logFile)) {
    assert.match(
      fs.readFileSync(logFile, 'utf8'),
      /sandbox: login check on/,
      `the sandbox runs no PostgreSQL of its own, so nothing can log in; see ${logFile}`,
    );
  }
  const orders = await connectionSecret('orders', 'orders-postgres');
  assert.equal(orders.host, '127.0.0.1');
  assert.deepEqual(await login(orders), {
    current_user: orders.user,
    current_database: orders.database,
  });
  assert.deepEqual(
    await login({ ...orders, password: `${orders.password}-wrong` }),
    { refused: '28P01' },
  );

  // billing's tab says the application cannot log in (SSM username ≠ owner): it cannot
  const billing = await connectionSecret('billing', 'billing-postgres');
  assert.equal(billing.user, 'billing-app');
  assert.deepEqual(await login(billing), { refused: '28P01' });
});

test("another team's database stays theirs: not on their page, not through another entity's annotation, not in the fleet, not through the Kubernetes proxy", async () => {
  // payments belongs to team-payments; the guest is in team-agents
  await page.goto(`${APP}/catalog/default/component/payments/databases`);
  await page.getByText('You may not see these databases').waitFor();
  await shot('11-payments-not-allowed');
  // nor is the guest offered to create one for it
  assert.equal(
    await page.getByRole('button', { name: 'New database' }).count(),
    0,
  );
  assert.equal(
    await page.getByRole('list', { name: 'Health of payments-db' }).count(),
    0,
  );

  // reporting (team-agents) names payments/payments-db in its annotation: none of it is shown
  await page.goto(`${APP}/catalog/default/component/reporting/databases`);
  await page
    .getByText(/another entity/)
    .first()
    .waitFor();
  await shot('12-reporting-names-another-teams-claim');
  const text = await page.locator('body').textContent();
  assert.equal(
    await page.getByRole('list', { name: 'Health of payments-db' }).count(),
    0,
  );
  for (const leak of [
    '/zerotouch/prod/payments',
    'payments-postgres',
    'payments-db-credentials',
  ]) {
    assert.ok(!text.includes(leak), `reporting's tab shows ${leak}`);
  }

  // the same user's token, straight at the backend
  assert.ok(userToken, 'the app sent a token');
  const auth = { authorization: `Bearer ${userToken}` };
  const fleet = await fetch('http://localhost:7007/api/postgres/v1/databases', {
    headers: auth,
  });
  assert.equal(fleet.status, 200);
  const names = (await fleet.json()).items.map(i => `${i.namespace}/${i.name}`);
  assert.ok(names.includes('databases/agent-executor-db'), names.join(', '));
  assert.ok(!names.includes('payments/payments-db'), names.join(', '));

  for (const namespace of ['payments', 'databases']) {
    const proxy = await fetch(
      `http://localhost:7007/api/kubernetes/proxy/api/v1/namespaces/${namespace}/secrets`,
      { headers: { ...auth, 'Backstage-Kubernetes-Cluster': 'sandbox-a' } },
    );
    assert.equal(proxy.status, 403, `proxy to ${namespace} secrets`);
  }
});

const TYPED_PASSWORD = 'TypedInTheForm-0123456789-abcdefghijklmnop';

test('a password typed in the form goes to SSM, the review shows only asterisks, the database turns healthy', async () => {
  await openFormFor('billing');
  await placeIn('billing-dev');

  await page.getByLabel(/^Password/).fill(TYPED_PASSWORD);
  await page.getByRole('spinbutton', { name: /Storage/ }).fill('10');
  await nameAvailability().getByText('Available.').waitFor();
  await shot('08-form-typed-password');
  await page.getByRole('button', { name: 'Review' }).click();
  const review = await page.locator('body').textContent();
  assert.ok(!review.includes(TYPED_PASSWORD), 'the review shows the password');
  await page.getByRole('button', { name: 'Create' }).click();
  await page
    .getByRole('link', { name: 'Pull request' })
    .waitFor({ timeout: 120_000 });
  await shot('09-task-typed-password');
  assert.equal(
    await ssmPassword(requestedSsm('dev', 'billing', 'billing-db')),
    TYPED_PASSWORD,
  );

  // merge it: the database built from the typed password turns healthy on billing's tab
  await page.goto(
    await page.getByRole('link', { name: 'Pull request' }).getAttribute('href'),
  );
  await page.getByRole('button', { name: 'Merge pull request' }).click();
  await page.getByText('Merged', { exact: true }).waitFor();
  await page.goto(`${APP}/catalog/default/component/billing/databases`);
  await page
    .getByText('namespace billing-dev', { exact: false })
    .first()
    .waitFor({ timeout: 90_000 });
  await page
    .getByText('Healthy', { exact: true })
    .first()
    .waitFor({ timeout: 90_000 });
  await shot('10-billing-typed-password-healthy');
});

test('no network response and no portal log line carries a password', async () => {
  const passwords = [];
  for (const folder of [
    requestedSsm('dev', 'orders', 'orders-db'), // generated by the task
    requestedSsm('dev', 'orders', 'orders-reports'), // orders' second database
    requestedSsm('dev', 'billing', 'billing-db'), // typed in the form
    seededSsm('prod', 'agent-executor'), // seeded
    seededSsm('prod', 'billing'),
    seededSsm('prod', 'inventory'), // seeded, hibernated
    seededSsm('prod', 'search'), // seeded, failing over
  ]) {
    passwords.push(await ssmPassword(folder));
  }
  assert.equal(passwords.length, 7);
  assert.ok(passwords.includes(TYPED_PASSWORD));
  assert.ok(bodies.length > 20, `only ${bodies.length} responses recorded`);
  const all = bodies.join('\n');
  assert.deepEqual(
    passwords.filter(p => all.includes(p)),
    [],
  );
  // nor the portal's own log output (backend, app and sandbox)
  const logFile = path.join(artifacts, 'portal.log');
  if (fs.existsSync(logFile)) {
    const log = fs.readFileSync(logFile, 'utf8');
    assert.ok(
      log.includes('Plugin initialization complete'),
      'the backend log was captured',
    );
    assert.deepEqual(
      passwords.filter(p => log.includes(p)),
      [],
    );
  }
});

/** Every row of every table of a PostgreSQL database, as text. */
async function allRows(Client, config) {
  const db = new Client(config);
  await db.connect();
  try {
    const tables = await db.query(
      "select table_schema, table_name from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema') and table_type = 'BASE TABLE'",
    );
    const out = [];
    for (const t of tables.rows) {
      const rows = await db.query(
        `select t::text as row from "${t.table_schema}"."${t.table_name}" t`,
      );
      out.push(...rows.rows.map(r => `${t.table_name}: ${r.row}`));
    }
    return out;
  } finally {
    await db.end();
  }
}

/*
 * A database's whole life as one record (#25), on a database of its own (orders/life-db):
 * create; grow (open, then merged); upgrade closed unmerged; decommission (merged); recreate.
 * At each step the tab, the card, the fleet page and the catalog say the same.
 */
const LIFE = 'life-db';
const LIFE_RESOURCE = 'life-db.orders.sandbox-a';
let lifeCreated;

/** The orders tab, read again until `text` is on it (the answers live for the cache's TTL). */
async function ordersTabUntil(text, timeout = 90_000) {
  const end = Date.now() + timeout;
  for (;;) {
    await page.goto(`${APP}/catalog/default/component/orders/databases`);
    await page.getByRole('heading', { name: 'PostgreSQL databases' }).waitFor();
    await page.waitForTimeout(1000);
    if ((await page.getByText(text).count()) > 0) return;
    if (Date.now() > end) assert.fail(`the orders tab never said ${text}`);
    await page.waitForTimeout(2000);
  }
}

/** The fleet page's text, read again until `done` holds of it. */
async function fleetUntil(done, what, timeout = 90_000) {
  const end = Date.now() + timeout;
  for (;;) {
    await page.goto(`${APP}/databases`);
    await page.getByText(/ of \d+ databases$/).waitFor();
    const text = await page.locator('main').textContent();
    if (done(text)) return text;
    if (Date.now() > end) assert.fail(`the fleet page never showed ${what}`);
    await page.waitForTimeout(2000);
  }
}

/** The life-db Resource in the catalog (undefined when it is not there). */
async function lifeResource() {
  const res = await fetch(
    `http://localhost:7007/api/catalog/entities/by-name/resource/default/${LIFE_RESOURCE}`,
    { headers: { authorization: `Bearer ${userToken}` } },
  );
  return res.ok ? res.json() : undefined;
}

/** Opens the change template from life-db's "Change…" menu on the tab. */
async function changeLife(operation) {
  await page.goto(`${APP}/catalog/default/component/orders/databases`);
  await page.getByRole('list', { name: `Health of ${LIFE}` }).waitFor();
  await page
    .locator(`button[aria-controls="change-sandbox-a-orders-${LIFE}"]`)
    .click();
  await page.getByRole('menuitem', { name: operation }).click();
  await page
    .getByRole('textbox', { name: /Database name \(claim\)/ })
    .waitFor();
  await pickGitopsRepository();
}

/** From the change form's first page: Next, `fill`, Review, Create; the pull request's URL. */
async function submitLifeChange(fill) {
  await page.getByRole('button', { name: 'Next' }).click();
  await fill();
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();
  const prLink = page.getByRole('link', { name: 'Pull request' });
  await prLink.waitFor({ timeout: 120_000 });
  return prLink.getAttribute('href');
}

async function forgeButton(url, name) {
  await page.goto(url);
  await page.getByRole('button', { name }).click();
  await page.waitForTimeout(500);
}

async function createLife() {
  await openFormFor('orders');
  await placeIn('orders');
  await page.getByRole('textbox', { name: 'Database name (claim)' }).fill(LIFE);
  // orders-db (made above) has the service's default connection secret
  await page
    .getByRole('textbox', { name: /Connection secret/ })
    .fill(`${LIFE}-connection`);
  await page.getByRole('spinbutton', { name: /Storage/ }).fill('10');
  // the availability said (a recreated database's own credentials are reused)
  await nameAvailability().waitFor();
  await page.waitForTimeout(1500);
  await page.getByRole('button', { name: 'Review' }).click();
  try {
    await page
      .getByRole('button', { name: 'Create' })
      .waitFor({ timeout: 20_000 });
  } catch (e) {
    await shot('79-life-create-refused');
    assert.fail(
      `"Review" did not go on: ${await page.locator('main').textContent()}`,
    );
  }
  await page.getByRole('button', { name: 'Create' }).click();
  const prLink = page.getByRole('link', { name: 'Pull request' });
  await prLink.waitFor({ timeout: 120_000 });
  return prLink.getAttribute('href');
}

test("a database's life: created, merged, healthy, one record on the tab", async () => {
  lifeCreated = await createLife();
  await ordersTabUntil(/^Requested — pull request #\d+ open$/);
  await forgeButton(lifeCreated, 'Merge pull request');
  await ordersTabUntil(/time to healthy/);
  await page.getByRole('list', { name: `Health of ${LIFE}` }).waitFor();
  await shot('60-life-healthy');
});

test('a grow request shows on the record while open (tab, card, form), then merged', async () => {
  await changeLife('Grow storage');
  const grow = await submitLifeChange(async () => {
    await page.getByRole('spinbutton', { name: /New storage/ }).fill('30');
    await page.getByText(/Today 10 GB; at most 1000 GB\./).waitFor();
  });
  await ordersTabUntil(/Change requested — pull request #\d+ open/);
  const line = page.getByLabel(`Request of ${LIFE}`);
  await line
    .getByText(/Grow storage of orders\/life-db from 10 GB to 30 GB/)
    .waitFor();
  await shot('61-life-tab-changing');
  await page.goto(`${APP}/catalog/default/component/orders`);
  await page
    .getByRole('table', { name: 'PostgreSQL databases' })
    .getByText(/Change requested — pull request #\d+ open/)
    .waitFor({ timeout: 60_000 });
  await shot('62-life-card-changing');
  // the change form says so before "Next", with the link, and "Next" stays
  await changeLife('Upgrade PostgreSQL');
  await page
    .getByText(`orders/${LIFE} already has an open change request`)
    .waitFor({ timeout: 30_000 });
  assert.equal(
    await page
      .getByRole('link', { name: /^Pull request #\d+/ })
      .getAttribute('href'),
    grow,
  );
  await shot('63-life-form-open-change');
  await page.getByRole('button', { name: 'Next' }).click();
  await page
    .getByText(
      /already has an open change request: #\d+ .*Merge or close it first/,
    )
    .first()
    .waitFor();
  assert.equal(
    (await page.getByRole('spinbutton', { name: /New storage/ }).count()) +
      (await page
        .getByRole('button', { name: /New PostgreSQL version/ })
        .count()),
    0,
    '"Next" went on while a change request is open',
  );
  await forgeButton(grow, 'Merge pull request');
  await ordersTabUntil(
    /Grow storage of orders\/life-db from 10 GB to 30 GB — .*merged/,
  );
  // life-db's own card (orders-db has 30 GB too)
  await page
    .locator('div[class*="MuiCard"]')
    .filter({ has: page.getByRole('list', { name: `Health of ${LIFE}` }) })
    .last()
    .getByText('30 GB', { exact: true })
    .waitFor({ timeout: 90_000 });
  await shot('64-life-grow-merged');
});

test('an upgrade closed without merge stays on the record as closed; the database is as it was', async () => {
  await changeLife('Upgrade PostgreSQL');
  const upgrade = await submitLifeChange(async () => {
    await page.getByRole('button', { name: /New PostgreSQL version/ }).click();
    await page.getByRole('option', { name: /^PostgreSQL 17/ }).click();
  });
  await forgeButton(upgrade, 'Close pull request');
  await ordersTabUntil(/closed without merge/);
  await page
    .getByLabel(`Request of ${LIFE}`)
    .getByText(/Upgrade PostgreSQL of orders\/life-db from 16 to 17/)
    .waitFor();
  assert.equal(
    await page.getByText(/Change requested/).count(),
    0,
    'a closed request still says a change is requested',
  );
  await shot('65-life-upgrade-closed');
});

test('decommissioned: gone from the clusters, the catalog and the fleet; the tab, card and fleet say when and by whom, never Healthy', async () => {
  assert.ok(await lifeResource(), 'the Resource is in the catalog before');
  await changeLife('Decommission…');
  const decommission = await submitLifeChange(async () => {
    await page
      .getByRole('textbox', { name: /Type the database's name/ })
      .fill(LIFE);
  });
  await ordersTabUntil(/Decommissioning — pull request #\d+ open/);
  await shot('66-life-decommissioning');
  await forgeButton(decommission, 'Merge pull request');
  await ordersTabUntil(/decommissioned .* by guest/, 120_000);
  const gone = page.getByRole('list', { name: 'Decommissioned databases' });
  await gone.getByText(LIFE, { exact: true }).waitFor();
  assert.equal(
    await page.getByRole('list', { name: `Health of ${LIFE}` }).count(),
    0,
  );
  assert.doesNotMatch(await gone.textContent(), /Healthy/);
  await shot('67-life-tab-decommissioned');
  await page.goto(`${APP}/catalog/default/component/orders`);
  await page
    .getByRole('table', { name: 'Decommissioned databases' })
    .getByText(/decommissioned .* by guest/)
    .waitFor({ timeout: 60_000 });
  await shot('68-life-card-decommissioned');
  const fleet = await fleetUntil(
    text =>
      /Decommissioned databases \(\d+\)/.test(text) && text.includes(LIFE),
    'life-db decommissioned',
  );
  assert.match(fleet, /decommissioned .* by guest/);
  await shot('69-life-fleet-decommissioned');
  let resource = await lifeResource();
  for (let i = 0; i < 60 && resource; i++) {
    await new Promise(r => setTimeout(r, 1000));
    resource = await lifeResource();
  }
  assert.equal(resource, undefined, 'the Resource stayed in the catalog');
});

test('recreated under the same name: a new record; the old one stays decommissioned', async () => {
  const again = await createLife();
  assert.notEqual(again, lifeCreated);
  await ordersTabUntil(/^Requested — pull request #\d+ open$/);
  const requested = page.getByRole('list', { name: 'Requested databases' });
  await requested.getByText(LIFE, { exact: true }).waitFor();
  assert.doesNotMatch(await requested.textContent(), /Grow storage/);
  await page
    .getByRole('list', { name: 'Decommissioned databases' })
    .getByText(LIFE, { exact: true })
    .waitFor();
  await shot('70-life-recreated');
  // leave no open pull request behind for the tests after
  await forgeButton(again, 'Close pull request');
});

test(
  'the production shape keeps the backend in PostgreSQL and its cache in Redis, and no password in either',
  { skip: !PRODUCTION && 'only with E2E_PRODUCTION=1' },
  async () => {
    const { Client } = require('pg');
    const { redis, PG, PREFIX } = require('../scripts/productionServices');
    const passwords = await Promise.all(
      [
        requestedSsm('dev', 'orders', 'orders-db'),
        requestedSsm('dev', 'billing', 'billing-db'),
        seededSsm('prod', 'agent-executor'),
      ].map(ssmPassword),
    );
    const client = new Client(PG);
    await client.connect();
    let names;
    try {
      const { rows } = await client.query(
        'select datname from pg_database where datname like $1 order by 1',
        [`${PREFIX}%`],
      );
      names = rows.map(r => r.datname);
    } finally {
      await client.end();
    }
    for (const plugin of ['catalog', 'scaffolder', 'auth']) {
      assert.ok(names.includes(`${PREFIX}${plugin}`), names.join(', '));
    }
    const rows = [];
    for (const database of names) {
      rows.push(...(await allRows(Client, { ...PG, database })));
    }
    // the tasks this run made are in PostgreSQL
    assert.ok(
      rows.filter(r => r.startsWith('tasks: ') && r.includes('completed'))
        .length >= 2,
      'completed tasks in PostgreSQL',
    );
    assert.deepEqual(
      rows.filter(r => passwords.some(p => r.includes(p))),
      [],
    );

    // the health backend's cluster reads are shared through Redis, and hold no password; a view
    // of billing's tab just now (the sandbox's cache entries live 2 s)
    await page.goto(`${APP}/catalog/default/component/billing/databases`);
    await page
      .getByRole('list', { name: 'Health of billing-db' })
      .first()
      .waitFor();
    // the entries live 2 s: a key listed may be gone by the time it is read, so read again
    // right after a fresh view until a listed entry is still there (at most 5 times)
    let keys = [];
    let values = '';
    for (let attempt = 0; attempt < 5 && !/readAt/.test(values); attempt++) {
      if (attempt > 0) {
        await new Promise(r => setTimeout(r, 2100)); // past the TTL: the next view reads anew
        await fetch(
          'http://localhost:7007/api/postgres/v1/entities/component/default/billing/databases',
          { headers: { authorization: `Bearer ${userToken}` } },
        );
      }
      keys = (await redis(['SELECT 5', 'KEYS *postgres*']))
        .split('\r\n')
        .filter(l => /postgres/.test(l) && !/^[$*+]/.test(l));
      values = keys.length
        ? await redis(['SELECT 5', ...keys.map(k => `GET ${k}`)])
        : '';
    }
    assert.ok(
      keys.length > 0,
      'no cache entry of the postgres plugin in Redis',
    );
    assert.match(values, /readAt/);
    assert.deepEqual(
      passwords.filter(p => values.includes(p)),
      [],
    );
  },
);
