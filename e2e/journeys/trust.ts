/*
 * Trust: another team's database stays theirs — not on their page, not through another
 * entity's annotation, not in the fleet, not in the catalog nor under payments' "Depends on
 * resources", not through the Kubernetes proxy.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { APP, BACKEND, asUser, page, shot } from '../portal';

export function trust() {
  test("another team's database stays theirs: not on their page, not through another entity's annotation, not in the fleet, not in the catalog nor under payments' \"Depends on resources\", not through the Kubernetes proxy", async () => {
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
    // the note for another team's claim is the one for a claim that does not exist
    await page
      .getByText(/not found, or not yours/)
      .first()
      .waitFor();
    assert.equal(await page.getByText(/another entity/).count(), 0);
    await shot('12-reporting-names-another-teams-claim');
    const text = (await page.locator('body').textContent()) ?? '';
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
    const auth = asUser();
    const fleet = await fetch(`${BACKEND}/api/postgres/v1/databases`, {
      headers: auth,
    });
    assert.equal(fleet.status, 200);
    const names: string[] = (await fleet.json()).items.map(
      (i: { namespace: string; name: string }) => `${i.namespace}/${i.name}`,
    );
    assert.ok(names.includes('databases/agent-executor-db'), names.join(', '));
    assert.ok(!names.includes('payments/payments-db'), names.join(', '));

    // the catalog: no database Resource of payments, by query, by name or on payments' page
    const query = await fetch(
      `${BACKEND}/api/catalog/entities/by-query?filter=kind=resource,spec.type=database`,
      { headers: auth },
    );
    assert.equal(query.status, 200);
    const resources: string[] = (await query.json()).items.map(
      (e: { metadata: { name: string } }) => e.metadata.name,
    );
    assert.ok(
      resources.every(n => !n.includes('payments')),
      resources.join(', '),
    );
    // payments' own relations name its database Resource once the provider made it (every 15 s)
    let paymentsDbRef: string | undefined;
    for (let i = 0; i < 60 && !paymentsDbRef; i++) {
      const payments = await (
        await fetch(
          `${BACKEND}/api/catalog/entities/by-name/component/default/payments`,
          { headers: auth },
        )
      ).json();
      paymentsDbRef = (
        (payments.relations ?? []) as { type: string; targetRef: string }[]
      ).find(
        r => r.type === 'dependsOn' && r.targetRef.startsWith('resource:'),
      )?.targetRef;
      if (!paymentsDbRef) await new Promise(r => setTimeout(r, 1000));
    }
    assert.ok(paymentsDbRef, "payments' database Resource was not made");
    const [, resourceName] = paymentsDbRef.split('/');
    assert.equal(
      (
        await fetch(
          `${BACKEND}/api/catalog/entities/by-name/resource/default/${resourceName}`,
          { headers: auth },
        )
      ).status,
      404,
    );
    await page.goto(`${APP}/catalog/default/component/payments`);
    const dependsOn = page
      .locator('div')
      .filter({ has: page.getByText('Depends on resources', { exact: true }) })
      .last();
    await dependsOn.waitFor();
    await page.waitForLoadState('networkidle');
    await shot('12b-payments-depends-on-no-database');
    // (the page's relation warning may name the ref it cannot read: the component's relations
    // carry the Resource's name, which is opaque, so it tells nothing of the claim)
    assert.match(resourceName, /^postgres-[0-9a-f]{16}$/);
    const card = (await dependsOn.textContent()) ?? '';
    assert.ok(!card.includes(resourceName), card);
    const pageText = await page.locator('body').innerText();
    assert.ok(
      !pageText.includes('payments-db'),
      "payments' page names payments-db",
    );

    for (const namespace of ['payments', 'databases']) {
      const proxy = await fetch(
        `${BACKEND}/api/kubernetes/proxy/api/v1/namespaces/${namespace}/secrets`,
        { headers: { ...auth, 'Backstage-Kubernetes-Cluster': 'sandbox-a' } },
      );
      assert.equal(proxy.status, 403, `proxy to ${namespace} secrets`);
    }
  });
}
