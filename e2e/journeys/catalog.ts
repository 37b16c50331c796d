/*
 * Catalog: a merged database is a Resource owned by the team and a dependency of its service,
 * with the Databases card on its page; "New database" on the card and on the tab opens the
 * template with the component filled in.
 */
import { strict as assert } from 'node:assert';
import { before, test } from 'node:test';
import { APP, BACKEND, asUser, ensureOrdersDb, page, shot } from '../portal';

export function catalog() {
  before(ensureOrdersDb);

  test('the merged database is a catalog Resource, owned by the team and a dependency of orders', async () => {
    // its name is opaque: found by the claim it shows (the provider refreshes every 15 s)
    const instance = 'sandbox-a/orders/orders-db';
    let entity;
    for (let i = 0; i < 60 && !entity; i++) {
      const res = await fetch(
        `${BACKEND}/api/catalog/entities/by-query?filter=kind=resource,metadata.annotations.bizmatters.io/postgres-instances=${encodeURIComponent(
          instance,
        )}`,
        { headers: asUser() },
      );
      if (res.ok) [entity] = (await res.json()).items;
      if (!entity) await new Promise(r => setTimeout(r, 1000));
    }
    assert.ok(
      entity,
      `the Resource of ${instance} did not appear in the catalog`,
    );
    // named by a hash, never by the claim; its owners read the claim in the title
    assert.match(entity.metadata.name, /^postgres-[0-9a-f]{16}$/);
    assert.equal(entity.metadata.title, 'orders-db (sandbox-a/orders)');
    assert.equal(entity.spec.type, 'database');
    assert.equal(entity.spec.owner, 'group:default/team-agents');
    assert.deepEqual(entity.spec.dependencyOf, ['component:default/orders']);
    assert.ok(
      entity.relations.some(
        (r: { type: string; targetRef: string }) =>
          r.type === 'dependencyOf' &&
          r.targetRef === 'component:default/orders',
      ),
    );
    // its page has the Databases card, with the database's verdict
    await page.goto(`${APP}/catalog/default/resource/${entity.metadata.name}`);
    await page
      .getByRole('heading', { name: 'orders-db (sandbox-a/orders)' })
      .waitFor();
    const table = page.getByRole('table', { name: 'PostgreSQL databases' });
    await table.waitFor();
    await table
      .getByText('Healthy', { exact: true })
      .waitFor({ timeout: 60_000 });
    await shot('24-orders-db-resource');
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
        new URL(page.url()).searchParams.get('formData') ?? 'null',
      );
      assert.deepEqual(formData, {
        component: `component:default/${component}`,
      });
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
}
