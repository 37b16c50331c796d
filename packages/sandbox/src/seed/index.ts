/*
 * The sandbox's example databases, from static files (../../seed): GitOps folders as they are
 * committed, and what the SSM stand-in holds for their ExternalSecrets.
 */
import { randomBytes } from 'crypto';
import fs from 'fs';
import path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import type { ClusterOperation } from '../cnpg';

// the sandbox runs from its source (never built), so its files are found from here
// eslint-disable-next-line no-restricted-syntax
const SEED_DIR = path.resolve(__dirname, '../../seed');

/** One example database of seed/databases.yaml, with its files read. */
export interface SeedDatabase {
  /** The claim's namespace and name (from its PostgresInstance). */
  namespace: string;
  name: string;
  /** GitOps path → content. */
  files: Record<string, string>;
  /** SSM parameter name → value, for the keys its ExternalSecret reads. */
  parameters: Record<string, string>;
  tags: Array<{ Key: string; Value: string }>;
  operation?: ClusterOperation;
}

function readFolder(dir: string, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    const name = `${prefix}/${entry.name}`;
    if (entry.isDirectory()) Object.assign(out, readFolder(file, name));
    else out[name] = fs.readFileSync(file, 'utf8');
  }
  return out;
}

/** A random password of 40 letters and digits. */
const randomPassword = () =>
  randomBytes(30)
    .toString('base64url')
    .replace(/[^A-Za-z0-9]/g, 'x');

/** The example databases, with a new random password each. */
export function seedDatabases(seedDir = SEED_DIR): SeedDatabase[] {
  const list = parse(
    fs.readFileSync(path.join(seedDir, 'databases.yaml'), 'utf8'),
  ) as Array<{
    folder: string;
    username: string;
    tags?: Record<string, string>;
    operation?: ClusterOperation;
  }>;
  return list.map(seed => {
    const files = readFolder(
      path.join(seedDir, 'gitops', seed.folder),
      seed.folder,
    );
    const objects = Object.values(files).flatMap(text =>
      parseAllDocuments(text).map(d => d.toJS() as any),
    );
    const claim = objects.find(o => o?.kind === 'PostgresInstance');
    if (!claim) throw new Error(`seed ${seed.folder}: no PostgresInstance`);
    const parameters: Record<string, string> = {};
    for (const es of objects.filter(o => o?.kind === 'ExternalSecret')) {
      for (const d of es.spec?.data ?? []) {
        const key = d.remoteRef?.key;
        if (d.secretKey === 'username') parameters[key] = seed.username;
        else if (d.secretKey === 'password') parameters[key] = randomPassword();
      }
    }
    return {
      namespace: claim.metadata.namespace,
      name: claim.metadata.name,
      files,
      parameters,
      tags: Object.entries(seed.tags ?? {}).map(([Key, Value]) => ({
        Key,
        Value,
      })),
      operation: seed.operation,
    };
  });
}
