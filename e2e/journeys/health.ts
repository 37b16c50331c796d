/*
 * Health states of the seeded databases: the broken service's failing hop with its hint, a
 * hibernated database and one failing over, each saying what it is and what to do.
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
}
