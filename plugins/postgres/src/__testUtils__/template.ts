// Test helper: reads the real template from disk under Jest (Node), never in the browser.
// eslint-disable-next-line no-restricted-imports
import fs from 'fs';
// eslint-disable-next-line no-restricted-imports
import path from 'path';
import { parse } from 'yaml';

/** The form fields of the real "New Postgres DB" template, by name. */
export function templateProperties(): Record<string, any> {
  const template = parse(
    fs.readFileSync(
      path.resolve(
        __dirname,
        '../../../../templates/new-postgres-db/template.yaml',
      ),
      'utf8',
    ),
  );
  return Object.assign(
    {},
    ...template.spec.parameters.map((p: any) => p.properties),
  );
}
