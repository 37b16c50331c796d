/*
 * Day 2: from orders' Databases tab, grow orders-db from 10 to 30 GB: the change template opens
 * with the database filled in, refuses today's size, and the merged change shows on the tab.
 */
import { strict as assert } from 'node:assert';
import { before, test } from 'node:test';
import {
  APP,
  ensureOrdersDb,
  page,
  pickGitopsRepository,
  shot,
} from '../portal';

export function day2() {
  before(ensureOrdersDb);

  test('day-2 from the Databases tab: grow orders-db to 30 GB, merge, see it', async () => {
    await page.goto(`${APP}/catalog/default/component/orders/databases`);
    await page.getByRole('list', { name: 'Health of orders-db' }).waitFor();
    await page
      .locator('button[aria-controls="change-sandbox-a-orders-orders-db"]')
      .click();
    await page.getByRole('menuitem', { name: 'Grow storage' }).click();
    // the change template, with the service and the database filled in (not today's values as
    // the new ones: nothing is red before anything is typed)
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
    assert.equal(await storage.inputValue(), '');
    await page.getByText(/Today 10 GB; at most 1000 GB\./).waitFor();
    assert.equal(await storage.getAttribute('aria-invalid'), 'false');
    // today's 10 GB is not a change: said as typed, and "Review" stays
    await storage.fill('10');
    await page
      .getByText('The database already has 10 GB; enter more to grow it.')
      .first()
      .waitFor();
    await page.getByRole('button', { name: 'Review' }).click();
    await page
      // the field's words, and "Next"'s list at the top
      .getByText(/already has 10 GB/)
      .nth(1)
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
    await page.goto((await prLink.getAttribute('href'))!);
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
}
