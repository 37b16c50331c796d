// Test helper: reads the shared fixtures from disk under Jest (Node), never in the browser.
// eslint-disable-next-line no-restricted-imports
import fs from 'fs';
// eslint-disable-next-line no-restricted-imports
import path from 'path';
import {
  DatabaseItem,
  deriveDatabaseHealth,
  isPostgresInstance,
  KubeObject,
  selectDatabaseObjects,
  toDatabaseItem,
} from '@bizmatters/plugin-postgres-common';

const EXAMPLES = path.resolve(
  __dirname,
  '../../../../fixtures/reference/examples',
);

/** The reference examples as health API items, as the backend would answer (fixed clock). */
export function exampleItems(): Record<string, DatabaseItem> {
  const out: Record<string, DatabaseItem> = {};
  for (const file of fs
    .readdirSync(EXAMPLES)
    .filter(f => f.endsWith('.json'))
    .sort()) {
    const items: KubeObject[] = JSON.parse(
      fs.readFileSync(path.join(EXAMPLES, file), 'utf8'),
    ).items;
    const claim = items.find(isPostgresInstance)!;
    const objects = selectDatabaseObjects(claim, items);
    const health = deriveDatabaseHealth(objects);
    out[file.slice(0, 2)] = toDatabaseItem('cluster-a', claim, objects, health);
    if (file.startsWith('01')) {
      // 01 hibernated on purpose, as CNPG's docs show it (declarative_hibernation.md)
      const cluster = JSON.parse(JSON.stringify(objects.cluster));
      cluster.metadata.annotations = { 'cnpg.io/hibernation': 'on' };
      cluster.status.readyInstances = 0;
      cluster.status.conditions = [
        {
          type: 'cnpg.io/hibernation',
          status: 'True',
          reason: 'Hibernated',
          message: 'Cluster has been hibernated',
          lastTransitionTime: '2023-03-05T16:43:35Z',
        },
      ];
      const hibernated = { ...objects, cluster };
      out.hibernated = toDatabaseItem(
        'cluster-a',
        claim,
        hibernated,
        deriveDatabaseHealth(hibernated),
      );
    }
  }
  return out;
}
