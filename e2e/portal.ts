/*
 * The browser journeys' one start-up: the local portal as `npm start` starts it (or, with
 * E2E_PRODUCTION=1, its production shape on PostgreSQL and Redis), one Chromium, one page
 * signed in as the guest; and the steps several journeys take (open the form, merge in the
 * forge, read SSM and the sandbox's clusters). Screenshots go to artifacts/e2e/.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../scripts/chromium';
import { waitFor, waitForGuestSignIn } from '../scripts/waitFor';

export const root = path.resolve(__dirname, '..');
export const PRODUCTION = Boolean(process.env.E2E_PRODUCTION);
export const artifacts = path.join(
  root,
  'artifacts',
  PRODUCTION ? 'e2e-production' : 'e2e',
);
export const portalLog = path.join(artifacts, 'portal.log');
export const APP = 'http://localhost:3000';
export const BACKEND = 'http://localhost:7007';

let portal: ChildProcess | undefined;
let browser: Browser | undefined;
let current: Page | undefined;

/** The one page every journey drives (there once the portal has started). */
export const page = new Proxy({} as Page, {
  get(_, key) {
    if (!current)
      throw new Error('the portal and the browser have not started');
    const value = Reflect.get(current, key, current);
    return typeof value === 'function' ? value.bind(current) : value;
  },
});

/** What the run saw in the browser: the user's token, the backend's answers, the console's deprecations. */
export const session = {
  /** The signed-in user's token, as the app sends it to the backend. */
  userToken: undefined as string | undefined,
  /** Every response body from the backend. */
  bodies: [] as string[],
  /** Every deprecation warning the browser's console showed during the run. */
  deprecations: [] as string[],
};

/** The user's token as a request header (the app must have sent one). */
export function asUser(): Record<string, string> {
  assert.ok(session.userToken, 'the app sent a token');
  return { authorization: `Bearer ${session.userToken}` };
}

export async function shot(name: string) {
  await page.mouse.move(1300, 900); // keep the sidebar collapsed
  await page.waitForTimeout(500); // (it closes with a transition)
  await page.screenshot({
    path: path.join(artifacts, `${name}.png`),
    fullPage: true,
  });
}

/** Starts the portal (unless E2E_PORTAL_RUNNING=1: one started with `npm start`) and the browser. */
export async function startPortal() {
  fs.mkdirSync(artifacts, { recursive: true });
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
          fs.openSync(portalLog, 'w'),
          fs.openSync(portalLog, 'a'),
        ],
        detached: true,
      },
    );
  // a portal that exits (say, a port already taken by another one) fails the run at once,
  // rather than letting the tests talk to whatever else answers on those ports
  const started = portal;
  const exited = started
    ? new Promise<never>((_, reject) =>
        started.once('exit', code =>
          reject(
            new Error(
              `the portal exited with ${code} before it was ready; see ${portalLog}`,
            ),
          ),
        ),
      )
    : new Promise<never>(() => {});
  exited.catch(() => {});
  await Promise.race([exited, startBrowser()]);
}

async function startBrowser() {
  await waitFor(`${BACKEND}/api/postgres/health`, 'the backend', 300_000);
  await waitForGuestSignIn(BACKEND, 300_000);
  await waitFor(APP, 'the app', 300_000);
  browser = await launchChromium();
  current = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  current.setDefaultTimeout(Number(process.env.E2E_TIMEOUT_MS ?? 60_000));
  current.on('request', req => {
    const auth = req.headers().authorization;
    if (req.url().startsWith(BACKEND) && auth?.startsWith('Bearer '))
      session.userToken = auth.slice('Bearer '.length);
  });
  current.on('console', message => {
    if (/deprecat/i.test(message.text()))
      session.deprecations.push(message.text());
  });
  current.on('response', async res => {
    if (!res.url().startsWith(BACKEND)) return;
    try {
      session.bodies.push(await res.text());
    } catch {
      /* redirects and aborted requests have no body */
    }
  });
}

/** The guest's sign-in: the first step of every run. */
export async function signIn() {
  await page.goto(APP);
  await page.getByRole('button', { name: 'Enter' }).click();
  await page.getByText('agent-executor').first().waitFor();
}

/** Closes the browser and stops the portal, waiting until its ports are free for a next run. */
export async function stopPortal() {
  await browser?.close();
  if (!portal?.pid) return;
  try {
    process.kill(-portal.pid, 'SIGTERM');
  } catch {
    /* gone */
  }
  const answers = (url: string) =>
    fetch(url).then(
      () => true,
      () => false,
    );
  const listens = (port: number) =>
    new Promise<boolean>(resolve => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  for (const open of [
    () => answers(`${BACKEND}/api/postgres/health`),
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

/**
 * The folder of a database's SSM parameters. The sandbox portal's pattern has the claim's name
 * in it (app-config.sandbox.yaml: several databases per service); the seeded databases keep
 * the seed's paths, which their ExternalSecrets name.
 */
export const requestedSsm = (
  environment: string,
  service: string,
  name: string,
) => `/zerotouch/${environment}/${service}/${name}/postgres`;
export const seededSsm = (environment: string, service: string) =>
  `/zerotouch/${environment}/${service}/postgres`;

function ssmClient() {
  return new SSMClient({
    region: 'eu-west-1',
    endpoint: 'http://127.0.0.1:7010',
    credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
  });
}

/** A password as the SSM stand-in holds it, e.g. `ssmPassword(seededSsm('prod', 'billing'))`. */
export async function ssmPassword(folder: string): Promise<string> {
  const out = await ssmClient().send(
    new GetParameterCommand({
      Name: `${folder}/password`,
      WithDecryption: true,
    }),
  );
  assert.ok(out.Parameter?.Value, `${folder}/password`);
  return out.Parameter.Value;
}

/** Opens "New Postgres DB", picks the service, goes to the next page (Placement). */
export async function openFormFor(service: string) {
  await page.goto(`${APP}/create/templates/default/new-postgres-db`);
  await page.getByRole('textbox', { name: /Service/ }).click();
  await page.getByRole('textbox', { name: /Service/ }).fill(service);
  await page.getByRole('option', { name: new RegExp(service) }).click();
  await page.getByRole('button', { name: 'Next' }).click();
}

/** The sandbox forge's platform/gitops repository: the only one allowed, chosen by itself. */
export async function pickGitopsRepository() {
  const picker = page.getByRole('button', { name: /GitOps repository/ });
  await picker.waitFor();
  await page
    .getByText('localhost:7020/platform/gitops (pull requests to main)')
    .waitFor();
}

/** On Placement: the namespace (environment dev, the GitOps repository chosen by itself), then the Database page. */
export async function placeIn(namespace: string) {
  await page.getByRole('textbox', { name: /Namespace/ }).fill(namespace);
  await pickGitopsRepository();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('textbox', { name: 'Database name (claim)' }).waitFor();
}

/** The availability said under the claim name. */
export const nameAvailability = () =>
  page.getByRole('status', { name: 'Availability of name' });

/** Opens a pull request in the sandbox forge and presses one of its buttons. */
export async function forgeButton(url: string, name: string) {
  await page.goto(url);
  await page.getByRole('button', { name }).click();
  await page.waitForTimeout(500);
}

export type Claim = {
  cluster: string;
  namespace: string;
  name: string;
  entityRef?: string;
  version: string;
};

/** Every PostgresInstance claim in the sandbox's clusters, read from their API servers. */
export async function sandboxClaims(): Promise<Claim[]> {
  const out: Claim[] = [];
  for (const [cluster, port] of [
    ['sandbox-a', 7030],
    ['sandbox-b', 7031],
  ] as const) {
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

/**
 * orders-db (orders' first database, 10 GB, the form's defaults), made by the create journey;
 * a journey that runs without it makes it here the same way: the form, the pull request
 * merged, healthy on the tab.
 */
export async function ensureOrdersDb() {
  const claims = await sandboxClaims();
  if (claims.some(c => c.namespace === 'orders' && c.name === 'orders-db'))
    return;
  await openFormFor('orders');
  await placeIn('orders');
  await page.getByRole('spinbutton', { name: /Storage/ }).fill('10');
  await nameAvailability().getByText('Available.').waitFor();
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();
  const prLink = page.getByRole('link', { name: 'Pull request' });
  await prLink.waitFor({ timeout: 120_000 });
  await forgeButton((await prLink.getAttribute('href'))!, 'Merge pull request');
  await page.getByText('Merged', { exact: true }).waitFor();
  await page.goto(`${APP}/catalog/default/component/orders/databases`);
  await page
    .getByRole('list', { name: 'Health of orders-db' })
    .getByText('Cluster in healthy state')
    .waitFor({ timeout: 90_000 });
}
