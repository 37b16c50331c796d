/*
 * A database's whole life as one record (#25), on a database of its own (orders/life-db):
 * create; grow (open, then merged); upgrade closed unmerged; decommission (merged); recreate.
 * At each step the tab, the card, the fleet page and the catalog say the same.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import {
  APP,
  BACKEND,
  asUser,
  forgeButton,
  nameAvailability,
  openFormFor,
  page,
  pickGitopsRepository,
  placeIn,
  shot,
} from '../portal';

const LIFE = 'life-db';
/** The claim life-db's Resource shows (its name is opaque, postgres-<hash>). */
const LIFE_INSTANCE = 'sandbox-a/orders/life-db';

/** The orders tab, read again until `text` is on it (the answers live for the cache's TTL). */
async function ordersTabUntil(text: RegExp, timeout = 90_000) {
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
async function fleetUntil(
  done: (text: string) => boolean,
  what: string,
  timeout = 90_000,
) {
  const end = Date.now() + timeout;
  for (;;) {
    await page.goto(`${APP}/databases`);
    await page.getByText(/ of \d+ databases$/).waitFor();
    const text = (await page.locator('main').textContent()) ?? '';
    if (done(text)) return text;
    if (Date.now() > end) assert.fail(`the fleet page never showed ${what}`);
    await page.waitForTimeout(2000);
  }
}

/** The life-db Resource in the catalog (undefined when it is not there). */
async function lifeResource() {
  const res = await fetch(
    `${BACKEND}/api/catalog/entities/by-query?filter=kind=resource,metadata.annotations.bizmatters.io/postgres-instances=${encodeURIComponent(
      LIFE_INSTANCE,
    )}`,
    { headers: asUser() },
  );
  return res.ok ? (await res.json()).items[0] : undefined;
}

/** Opens the change template from life-db's "Change…" menu on the tab. */
async function changeLife(operation: string) {
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
async function submitLifeChange(fill: () => Promise<void>) {
  await page.getByRole('button', { name: 'Next' }).click();
  await fill();
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();
  const prLink = page.getByRole('link', { name: 'Pull request' });
  await prLink.waitFor({ timeout: 120_000 });
  return (await prLink.getAttribute('href'))!;
}

async function createLife() {
  await openFormFor('orders');
  await placeIn('orders');
  await page.getByRole('textbox', { name: 'Database name (claim)' }).fill(LIFE);
  // orders-db (when the create journey made it) has the service's default connection secret
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
  return (await prLink.getAttribute('href'))!;
}

export function life() {
  let lifeCreated: string;

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
    await page
      .getByRole('group', { name: `Claim of ${LIFE}` })
      .getByText('30 GB', { exact: true })
      .waitFor({ timeout: 90_000 });
    await shot('64-life-grow-merged');
  });

  test('an upgrade closed without merge stays on the record as closed; the database is as it was', async () => {
    await changeLife('Upgrade PostgreSQL');
    const upgrade = await submitLifeChange(async () => {
      await page
        .getByRole('button', { name: /New PostgreSQL version/ })
        .click();
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
    assert.doesNotMatch((await gone.textContent()) ?? '', /Healthy/);
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
    assert.doesNotMatch((await requested.textContent()) ?? '', /Grow storage/);
    await page
      .getByRole('list', { name: 'Decommissioned databases' })
      .getByText(LIFE, { exact: true })
      .waitFor();
    await shot('70-life-recreated');
    // leave no open pull request behind for the journeys after
    await forgeButton(again, 'Close pull request');
  });
}
