/*
 * Refusals: the form refuses a taken name, an existing database, a taken connection secret and
 * a reserved owner before "Create"; then a second database for orders (orders-reports) works,
 * with its own SSM parameters ({name} in the path).
 */
import { strict as assert } from 'node:assert';
import { before, test } from 'node:test';
import {
  APP,
  ensureOrdersDb,
  nameAvailability,
  openFormFor,
  page,
  placeIn,
  requestedSsm,
  shot,
  ssmPassword,
} from '../portal';

export function refusals() {
  before(ensureOrdersDb);

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
      (await nameAvailability().textContent()) ?? '',
      /component:default\/billing|team-agents/,
    );
    await shot('30-form-taken-name');
    await review.click();
    // refused: the form lists it at the top, the field says it under the name
    await page
      .getByText(new RegExp(`'Database name \\(claim\\)' ${taken.source}`))
      .waitFor();
    assert.equal(await create.count(), 0, '"Review" went on with a taken name');

    // orders' own namespace, the default name: orders-db exists (merged before), with its link
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
    assert.match((await link.getAttribute('href')) ?? '', /orders-db/);
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
    await page.goto((await prLink.getAttribute('href'))!);
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
}
