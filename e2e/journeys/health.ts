/*
 * Health states of the seeded databases: the broken service's failing hop with its hint, a
 * hibernated database and one failing over, each saying what it is and what to do; and whether
 * each can be recovered (a backed-up one's window, a prod one without backups, failing backups).
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { APP, page, shot } from '../portal';

export function health() {
  test('the broken service shows its failing hop and the hint', async () => {
    await page.goto(`${APP}/catalog/default/component/billing`);
    const table = page.getByRole('table', { name: 'PostgreSQL databases' });
    await table.waitFor();
    await page
      .getByText(/differs from the database owner 'billing_app'/)
      .waitFor();
    await shot('07-billing-overview-broken');
    const text = (await table.textContent()) ?? '';
    assert.match(text, /Failed/);
    assert.match(
      text,
      /Credentials secret: The secret's username 'billing-app' differs/,
    );
    // the repair from the Change menu first, the platform team when it is refused
    assert.match(text, /Choose "Repair credentials" in "Change Postgres DB"/);
    assert.match(
      text,
      /If the repair is refused, ask the platform team to write 'billing_app'/,
    );
  });

  test('a hibernated database and one failing over say what they are and what to do', async () => {
    // inventory: cnpg.io/hibernation=on; CNPG keeps "Cluster in healthy state" with no pod
    await page.goto(`${APP}/catalog/default/component/inventory/databases`);
    const inventory = page.getByRole('list', {
      name: 'Health of inventory-db',
    });
    await inventory
      .getByText(/Hibernated on purpose/)
      .waitFor({ timeout: 90_000 });
    await shot('13-inventory-hibernated');
    let text = (await page.locator('body').textContent()) ?? '';
    assert.match(text, /Degraded/);
    assert.match(
      (await inventory.textContent()) ?? '',
      /cnpg\.io\/hibernation-/,
    );
    assert.doesNotMatch(text, /Healthy/);
    // the facts beside the steps agree with them: CNPG's frozen phase is quoted, not the state
    assert.match(text, /Hibernated \(CNPG's phase still reads/);

    // search: three instances, the primary lost, the failover not finished
    await page.goto(`${APP}/catalog/default/component/search/databases`);
    const search = page.getByRole('list', { name: 'Health of search-db' });
    await search.getByText(/Failing over/).waitFor({ timeout: 90_000 });
    await shot('14-search-failing-over');
    text = (await search.textContent()) ?? '';
    assert.match(text, /FailingOver/);
    assert.match(text, /Writes fail until a new primary is up/);
    // since when, and the lost primary is not listed as the primary
    assert.match(text, /Failing over[^;]* since \S+ \(\d+ (s|min|h)\)/);
    const body = (await page.locator('body').textContent()) ?? '';
    assert.match(body, /Degraded/);
    assert.match(body, /search-db-\d \(lost; a new one not chosen yet\)/);
    // the failing hop's recent events, read from the cluster: CNPG's FailingOver warning
    const events = search.getByRole('list', { name: 'Recent events' });
    await events.getByText(/FailingOver/).waitFor({ timeout: 30_000 });
    assert.match((await events.textContent()) ?? '', /FailingOver/);
    await shot('15-search-recent-events');
  });
  test('backups and recovery: a backed-up database’s window, the unprotected prod warning, a failing backup', async () => {
    // agent-executor: composed with backups (the Barman Cloud plugin), its first one taken
    await page.goto(
      `${APP}/catalog/default/component/agent-executor/databases`,
    );
    const backedUp = page.getByRole('group', { name: 'Backups and recovery' });
    await backedUp
      .getByText(/Recovery window: restorable from/)
      .waitFor({ timeout: 90_000 });
    assert.match((await backedUp.textContent()) ?? '', /Recoverable/);
    assert.match(
      (await backedUp.textContent()) ?? '',
      /barman-cloud\.cloudnative-pg\.io · agent-executor-db-daily \(0 0 2 \* \* \*\)/,
    );
    await backedUp
      .getByRole('list', { name: 'Last backups of agent-executor-db' })
      .getByText(/completed/)
      .waitFor();
    await shot('16-agent-executor-recoverable');

    // billing (prod), as the platform's Composition makes it: no backups at all, said beside
    // the verdict and in the section, with what to do
    await page.goto(`${APP}/catalog/default/component/billing/databases`);
    const bare = page.getByRole('group', { name: 'Backups and recovery' });
    await bare.getByText(/No backups are configured/).waitFor();
    const bareText = (await bare.textContent()) ?? '';
    assert.match(bareText, /prod \(backups required\)/);
    assert.match(
      bareText,
      /What to do: Ask the platform team to compose backups/,
    );
    await page.getByRole('img', { name: 'Not recoverable' }).first().waitFor();
    await shot('17-billing-not-recoverable');

    // inventory: its backups fail; the overview card warns too
    await page.goto(`${APP}/catalog/default/component/inventory/databases`);
    const failing = page.getByRole('group', { name: 'Backups and recovery' });
    await failing
      .getByText(/AccessDenied/)
      .first()
      .waitFor({ timeout: 90_000 });
    assert.match((await failing.textContent()) ?? '', /Last backup failed/);
    await page.goto(`${APP}/catalog/default/component/inventory`);
    await page
      .getByRole('table', { name: 'PostgreSQL databases' })
      .getByRole('img', { name: 'Last backup failed' })
      .waitFor();
  });
}
