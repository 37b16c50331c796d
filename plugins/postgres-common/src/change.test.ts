import {
  describeDatabaseChange,
  fileDiff,
  editClaimManifest,
  readClaimManifest,
  validateDatabaseChange,
} from './change';
import { renderManifestFiles } from './manifests';
import { SEED_EXAMPLE_REQUEST } from './request';

/** A claim as a platform engineer might have edited it by hand: comments, quotes, order. */
const HAND_EDITED = `# orders' database — owned by team-agents
apiVersion: database.bizmatters.io/v1alpha1
kind: PostgresInstance
metadata:
  name: orders-db
  namespace: orders
  annotations:
    bizmatters.io/entity-ref: component:default/orders # who may change it
    bizmatters.io/owner: group:default/team-agents
spec:
  # sizes are curated by the platform team
  size: small
  version: "16" # keep quoted
  storageGB: 20
  databaseName: app
  databaseOwner: app
  connectionSecretName: orders-postgres
  credentialsSecretName: orders-db-credentials
`;

const current = readClaimManifest(HAND_EDITED);

describe('readClaimManifest', () => {
  it('reads the values a change starts from and whom the claim names', () => {
    expect(current).toEqual({
      name: 'orders-db',
      namespace: 'orders',
      size: 'small',
      version: '16',
      storageGB: 20,
      entityRef: 'component:default/orders',
      owner: 'group:default/team-agents',
      databaseOwner: 'app',
      connectionSecretName: 'orders-postgres',
      credentialsSecretName: 'orders-db-credentials',
    });
  });

  it('reads the claim the template writes', () => {
    const files = renderManifestFiles(SEED_EXAMPLE_REQUEST);
    const claim = readClaimManifest(files['postgresinstance.yaml']);
    expect(claim.name).toBe(SEED_EXAMPLE_REQUEST.name);
    // its secrets' names, as written (what another request's names are checked against)
    expect(claim.connectionSecretName).toBe('agent-executor-postgres');
    expect(claim.credentialsSecretName).toEqual(expect.any(String));
    expect(claim.version).toBe(SEED_EXAMPLE_REQUEST.version);
    expect(claim.storageGB).toBe(SEED_EXAMPLE_REQUEST.storageGB);
  });

  it('takes the XRD defaults for fields a claim leaves out', () => {
    const claim = readClaimManifest(
      'kind: PostgresInstance\nmetadata: {name: a, namespace: b}\nspec: {}\n',
    );
    expect(claim).toMatchObject({
      size: 'small',
      version: '16',
      storageGB: 20,
    });
  });

  it('refuses what is not a claim', () => {
    expect(() => readClaimManifest('kind: ExternalSecret\n')).toThrow(
      /holds a ExternalSecret, not a PostgresInstance/,
    );
    expect(() => readClaimManifest('kind: [\n')).toThrow(/not valid YAML/);
    expect(() =>
      readClaimManifest('kind: PostgresInstance\nspec: {storageGB: big}\n'),
    ).toThrow(/storageGB is not a whole number/);
  });
});

describe('validateDatabaseChange', () => {
  const fields = (change: unknown, policy?: any) =>
    validateDatabaseChange(current, change, policy).map(p => p.field);
  const message = (change: unknown, policy?: any) =>
    validateDatabaseChange(current, change, policy)
      .map(p => p.message)
      .join(' ');

  it('accepts each operation done right', () => {
    expect(fields({ operation: 'growStorage', storageGB: 50 })).toEqual([]);
    expect(fields({ operation: 'changeSize', size: 'medium' })).toEqual([]);
    expect(fields({ operation: 'upgradeVersion', version: '17' })).toEqual([]);
    expect(
      fields({ operation: 'decommission', confirmName: 'orders-db' }),
    ).toEqual([]);
  });

  it('asks for an operation', () => {
    expect(fields({})).toEqual(['operation']);
    expect(fields(null)).toEqual(['operation']);
    expect(fields({ operation: 'drop' })).toEqual(['operation']);
  });

  it('never shrinks storage, nor grows it past the maximum', () => {
    expect(message({ operation: 'growStorage', storageGB: 10 })).toMatch(
      /cannot shrink.*20 GB/,
    );
    expect(message({ operation: 'growStorage', storageGB: 20 })).toMatch(
      /already has 20 GB/,
    );
    expect(message({ operation: 'growStorage', storageGB: 1001 })).toMatch(
      /maximum of 1000 GB/,
    );
    expect(
      message(
        { operation: 'growStorage', storageGB: 60 },
        { storageGB: { max: 50 } },
      ),
    ).toMatch(/maximum of 50 GB/);
    expect(fields({ operation: 'growStorage', storageGB: 20.5 })).toEqual([
      'storageGB',
    ]);
    expect(fields({ operation: 'growStorage', storageGB: '50' })).toEqual([
      'storageGB',
    ]);
  });

  it('changes to another offered size only', () => {
    expect(message({ operation: 'changeSize', size: 'small' })).toMatch(
      /already 'small'/,
    );
    expect(message({ operation: 'changeSize', size: 'huge' })).toMatch(
      /offered sizes: 'small', 'medium', 'large'/,
    );
  });

  it('upgrades upward, to an offered version, one major at a time by default', () => {
    expect(message({ operation: 'upgradeVersion', version: '15' })).toMatch(
      /cannot be downgraded \(from 16 to 15\)/,
    );
    expect(message({ operation: 'upgradeVersion', version: '16' })).toMatch(
      /already runs PostgreSQL 16/,
    );
    expect(message({ operation: 'upgradeVersion', version: '18' })).toMatch(
      /one major version at a time: from 16, choose 17/,
    );
    expect(
      fields(
        { operation: 'upgradeVersion', version: '18' },
        { upgrades: { maxMajorSteps: 2 } },
      ),
    ).toEqual([]);
    expect(
      message(
        { operation: 'upgradeVersion', version: '17' },
        { versions: ['16', '18'] },
      ),
    ).toMatch(/offered versions: '16', '18'/);
  });

  it('decommissions only when the typed name matches', () => {
    expect(
      message({ operation: 'decommission', confirmName: 'orders' }),
    ).toMatch(/Type the database's name, orders-db/);
    expect(fields({ operation: 'decommission' })).toEqual(['confirmName']);
  });
});

describe('editClaimManifest', () => {
  it('changes only the asked-for field, keeping comments, order and quoting', () => {
    const grown = editClaimManifest(HAND_EDITED, {
      operation: 'growStorage',
      storageGB: 50,
    });
    expect(grown).toBe(HAND_EDITED.replace('storageGB: 20', 'storageGB: 50'));
    const upgraded = editClaimManifest(HAND_EDITED, {
      operation: 'upgradeVersion',
      version: '17',
    });
    expect(upgraded).toBe(
      HAND_EDITED.replace('version: "16"', 'version: "17"'),
    );
    const resized = editClaimManifest(HAND_EDITED, {
      operation: 'changeSize',
      size: 'large',
    });
    expect(resized).toBe(HAND_EDITED.replace('size: small', 'size: large'));
  });

  it('adds a field the claim left to the XRD default', () => {
    const text =
      'kind: PostgresInstance\nmetadata:\n  name: a\nspec:\n  size: small\n';
    expect(
      editClaimManifest(text, { operation: 'growStorage', storageGB: 30 }),
    ).toBe(`${text}  storageGB: 30\n`);
  });

  it('edits nothing for a decommission', () => {
    expect(() =>
      editClaimManifest(HAND_EDITED, {
        operation: 'decommission',
        confirmName: 'orders-db',
      }),
    ).toThrow(/deletes the manifests/);
  });
});

describe('describeDatabaseChange', () => {
  it('names the database and both values', () => {
    expect(
      describeDatabaseChange(current, {
        operation: 'upgradeVersion',
        version: '17',
      }),
    ).toBe('Upgrade PostgreSQL of orders/orders-db from 16 to 17');
    expect(
      describeDatabaseChange(current, {
        operation: 'decommission',
        confirmName: 'orders-db',
      }),
    ).toBe('Decommission orders/orders-db');
  });
});

describe('fileDiff', () => {
  it('shows the one changed line with its context', () => {
    const after = editClaimManifest(HAND_EDITED, {
      operation: 'growStorage',
      storageGB: 50,
    });
    expect(
      fileDiff(
        'databases/orders/orders-db/postgresinstance.yaml',
        HAND_EDITED,
        after,
      ),
    ).toBe(
      [
        '--- a/databases/orders/orders-db/postgresinstance.yaml',
        '+++ b/databases/orders/orders-db/postgresinstance.yaml',
        '@@ -12,5 +12,5 @@',
        '   size: small',
        '   version: "16" # keep quoted',
        '-  storageGB: 20',
        '+  storageGB: 50',
        '   databaseName: app',
        '   databaseOwner: app',
        '',
      ].join('\n'),
    );
  });

  it('is empty when nothing changed, and removes every line of a deleted file', () => {
    expect(fileDiff('x', 'a\n', 'a\n')).toBe('');
    expect(fileDiff('x', 'a\nb\n', undefined)).toBe(
      '--- a/x\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\n',
    );
  });
});
