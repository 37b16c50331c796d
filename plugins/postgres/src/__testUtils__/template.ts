// Test helper: reads the real templates from disk under Jest (Node), never in the browser.
// eslint-disable-next-line no-restricted-imports
import fs from 'fs';
// eslint-disable-next-line no-restricted-imports
import path from 'path';
import { parse } from 'yaml';

function readTemplate(name: string): any {
  return parse(
    fs.readFileSync(
      path.resolve(__dirname, `../../../../templates/${name}/template.yaml`),
      'utf8',
    ),
  );
}

/** The form fields of the real "New Postgres DB" template, by name. */
export function templateProperties(): Record<string, any> {
  return Object.assign(
    {},
    ...readTemplate('new-postgres-db').spec.parameters.map(
      (p: any) => p.properties,
    ),
  );
}

/** The steps (parameter schemas) of the real "Change Postgres DB" template, by title. */
export function changeTemplateSteps(): Record<string, any> {
  return Object.fromEntries(
    readTemplate('change-postgres-db').spec.parameters.map((p: any) => [
      p.title,
      p,
    ]),
  );
}
