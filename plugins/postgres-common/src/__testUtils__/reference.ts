import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../manifests';
import type { DatabaseRequest } from '../request';

/** The repository's fixtures folder. */
export const FIXTURES_DIR = path.resolve(__dirname, '../../../../fixtures');
export const REFERENCE_DIR = path.join(FIXTURES_DIR, 'reference');

export function readReferenceJson<T = any>(relative: string): T {
  return JSON.parse(
    fs.readFileSync(path.join(REFERENCE_DIR, relative), 'utf8'),
  );
}

export function readYamlDocuments(file: string): any[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map(d => d.toJS());
}

export function exampleFiles(): string[] {
  return fs
    .readdirSync(path.join(REFERENCE_DIR, 'examples'))
    .filter(f => f.endsWith('.json'))
    .sort();
}

export function readExample(file: string): KubeObject[] {
  return readReferenceJson<{ items: KubeObject[] }>(`examples/${file}`).items;
}

/**
 * A Kubernetes structural schema as a strict JSON schema: x-kubernetes-* keywords dropped,
 * `additionalProperties: false` wherever properties are listed and nothing else is allowed.
 */
export function strictSchema(schema: any): any {
  if (Array.isArray(schema)) return schema.map(strictSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const out: any = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k.startsWith('x-kubernetes-')) continue;
    out[k] =
      k === 'properties'
        ? Object.fromEntries(
            Object.entries(v as any).map(([pk, pv]) => [pk, strictSchema(pv)]),
          )
        : strictSchema(v);
  }
  if (
    out.properties &&
    out.additionalProperties === undefined &&
    !schema['x-kubernetes-preserve-unknown-fields']
  ) {
    out.additionalProperties = false;
  }
  return out;
}

/** The seed's complete example (agent-executor) as a request: fixtures/seed/request.json. */
export function seedRequest(): DatabaseRequest {
  return JSON.parse(
    fs.readFileSync(path.join(FIXTURES_DIR, 'seed/request.json'), 'utf8'),
  );
}
