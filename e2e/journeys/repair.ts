/*
 * "Repair credentials": billing's seeded database (SSM username 'billing-app', owner
 * 'billing_app') repaired from its tab's Change menu, as its hint says; the Review names the
 * service, the repository and the change; no pull request; the tab turns healthy once External
 * Secrets has looked again, and the application logs in. Runs last: it mends what the health,
 * fleet and secrets journeys find broken.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { APP, page, session, shot } from '../portal';
import { connectionSecret, login } from './secrets';

export function repair() {
  test('billing repaired from the Change menu: the owner becomes the SSM username, no pull request, the tab turns healthy', async () => {
    const pulls = async () =>
      (
        await (
          await fetch(
            'http://localhost:7020/api/v3/repos/platform/gitops/pulls?state=all&per_page=100',
          )
        ).json()
      ).length as number;
    const before = await pulls();
    await page.goto(`${APP}/catalog/default/component/billing/databases`);
    await page
      .getByText(/differs from the database owner 'billing_app'/)
      .first()
      .waitFor();
    // billing/billing-db's own menu (the secrets journey adds billing-dev/billing-db beside it)
    const change = page.locator(
      'button[aria-controls="change-sandbox-a-billing-billing-db"]',
    );
    await change.click();
    await page.getByRole('menuitem', { name: 'Repair credentials' }).click();
    await page.waitForURL(/\/create\/templates\/default\/change-postgres-db/);
    await page.getByRole('button', { name: 'Next' }).click();
    await page
      .getByText('Repair credentials (the SSM username')
      .first()
      .waitFor();
    await page.getByRole('button', { name: 'Review' }).click();
    // names, not references, on the Review
    const review = (await page.locator('table').last().textContent()) ?? '';
    assert.match(review, /Servicebilling/);
    assert.match(review, /GitOps repositoryplatform\/gitops on localhost:7020/);
    assert.match(
      review,
      /What to changeRepair credentials \(the SSM username becomes the owner\)/,
    );
    assert.doesNotMatch(review, /component:default\/billing|\?owner=/);
    await shot('40-repair-review');
    await page.getByRole('button', { name: 'Create' }).click();
    await page
      .getByText(/now holds the username/)
      .waitFor({ timeout: 120_000 });
    const done = (await page.locator('body').textContent()) ?? '';
    assert.match(done, /\/zerotouch\/prod\/billing\/postgres\/user/);
    assert.match(done, /its refreshInterval is 1h/);
    await shot('41-repair-done');
    assert.equal(await pulls(), before, 'a repair opens no pull request');

    // the sandbox's External Secrets looks again within SANDBOX_RESYNC_MS (10 s)
    let healthy = false;
    for (let i = 0; i < 20 && !healthy; i++) {
      await page.goto(`${APP}/catalog/default/component/billing/databases`);
      healthy = await page
        .getByText(/username 'billing_app' matches the owner/)
        .waitFor({ timeout: 5_000 })
        .then(
          () => true,
          () => false,
        );
    }
    assert.ok(healthy, "billing's credentials match the owner again");
    await shot('42-repair-billing-healthy');
    // nothing left to repair: the menu no longer offers it
    await change.click();
    assert.equal(
      await page.getByRole('menuitem', { name: 'Repair credentials' }).count(),
      0,
    );
    await page.keyboard.press('Escape');
    // and the application logs in with its connection secret
    const billing = await connectionSecret('billing', 'billing-postgres');
    assert.equal(billing.user, 'billing_app');
    assert.deepEqual(await login(billing), {
      current_user: 'billing_app',
      current_database: 'billing',
    });
    assert.ok(session);
  });
}
