import fs from 'fs';
import path from 'path';
import type { DatabaseRequest } from '@bizmatters/plugin-postgres-common';

/** The seed's complete example (agent-executor) as action input: fixtures/seed/request.json. */
export function seedInput(): DatabaseRequest & Record<string, any> {
  const file = path.resolve(
    __dirname,
    '../../../../fixtures/seed/request.json',
  );
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}
