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
  }
  return out;
}
