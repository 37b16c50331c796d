/*
 * Accessibility: the tab, the card, the fleet page and the three forms have no serious or
 * critical axe-core violations; the browser's console showed no deprecation warning of ours
 * during the run (every journey's pages when they run together).
 */
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { AxeResults } from 'axe-core';
import { APP, artifacts, page, session, shot } from '../portal';

/**
 * Violations in Backstage's own components, not in anything this project renders: the
 * scaffolder page header's tabs (react-aria ids that axe reads as invalid) and the Table's
 * (material-table) sortable column headers. Listed in artifacts/e2e/axe-backstage.txt.
 */
const BACKSTAGE_OWN = [
  /^aria-valid-attr-value: #react-aria[\w\\:-]*-tab-templates /,
  /^nested-interactive: th:nth-child\(\d+\) > \.MuiTableSortLabel-root/,
];
const backstageOwn: string[] = [];

/**
 * The serious and critical violations axe-core (from npm, injected into the page) finds on the
 * page as it is now, each as `rule: target (help)`.
 */
async function axeViolations() {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    const { axe } = window as unknown as {
      axe: { run(d: Document, o: object): Promise<AxeResults> };
    };
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map(v => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map(n => n.target.join(' ')),
    }));
  });
  const found = violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .flatMap(v => v.targets.map(t => `${v.id}: ${t} (${v.help})`));
  backstageOwn.push(...found.filter(f => BACKSTAGE_OWN.some(r => r.test(f))));
  return found.filter(f => !BACKSTAGE_OWN.some(r => r.test(f)));
}

export function accessibility() {
  test('accessibility: the tab, the card, the fleet page and the three forms have no serious or critical axe violations; no deprecation warning of ours', async () => {
    const pages: [string, string, () => Promise<void>][] = [
      [
        'Databases tab',
        `${APP}/catalog/default/component/agent-executor/databases`,
        () =>
          page
            .getByRole('list', { name: 'Health of agent-executor-db' })
            .waitFor(),
      ],
      [
        'overview card',
        `${APP}/catalog/default/component/agent-executor`,
        () => page.getByText('agent-executor-db').first().waitFor(),
      ],
      [
        'fleet page',
        `${APP}/databases`,
        () => page.getByText(/ of \d+ databases$/).waitFor(),
      ],
      [
        'New Postgres DB',
        `${APP}/create/templates/default/new-postgres-db`,
        () => page.getByRole('textbox', { name: /Service/ }).waitFor(),
      ],
      [
        'Change Postgres DB',
        `${APP}/create/templates/default/change-postgres-db?formData=${encodeURIComponent(
          JSON.stringify({
            // the seeded database (the journey runs alone, too)
            component: 'component:default/agent-executor',
            namespace: 'databases',
            name: 'agent-executor-db',
            operation: 'upgradeVersion',
          }),
        )}`,
        () =>
          page
            .getByRole('textbox', { name: /Database name \(claim\)/ })
            .waitFor(),
      ],
      [
        'Remove Postgres DB credentials',
        `${APP}/create/templates/default/remove-postgres-credentials`,
        () =>
          page
            .getByRole('textbox', { name: /Database name \(claim\)/ })
            .waitFor(),
      ],
    ];
    const found: Record<string, string[]> = {};
    for (const [name, url, ready] of pages) {
      await page.goto(url);
      await ready();
      await page.waitForTimeout(500); // (transitions settle)
      const violations = await axeViolations();
      if (violations.length) found[name] = violations;
    }
    await shot('40-accessibility-last-form');
    fs.writeFileSync(
      path.join(artifacts, 'axe-backstage.txt'),
      backstageOwn.join('\n'),
    );
    assert.deepEqual(found, {});
    // our deprecations: those whose message names our templates' or plugins' use (enumNames,
    // our packages). React's findDOMNode warning of Material UI 4's ButtonBase and Tooltip names
    // whichever component renders the first one (our RefreshButton among them) only in its
    // stack: Backstage's UI library, listed in the file with the rest
    const ours = session.deprecations.filter(d =>
      /enumNames|postgres|bizmatters/i.test(d.split('\n')[0]),
    );
    fs.writeFileSync(
      path.join(artifacts, 'console-deprecations.txt'),
      session.deprecations.join('\n'),
    );
    assert.deepEqual(ours, []);
  });
}
