import { isMap, parseDocument } from 'yaml';
import { PostgresPolicyInput, resolvePolicy } from './policy';
import { ENTITY_REF_ANNOTATION, OWNER_ANNOTATION } from './ownership';
import { POSTGRES_INSTANCE_KIND } from './manifests';

/**
 * The day-2 operations on a database, each one pull request.
 *
 * @public
 */
export type DatabaseOperation =
  | 'growStorage'
  | 'changeSize'
  | 'upgradeVersion'
  | 'decommission';

/**
 * The operations, in the order a form offers them.
 *
 * @public
 */
export const DATABASE_OPERATIONS: readonly DatabaseOperation[] = [
  'growStorage',
  'changeSize',
  'upgradeVersion',
  'decommission',
];

/**
 * What the Change template offers, as its form names each operation (`ui:enumNames`, in
 * order): the claim changes, then the repair of credentials (an SSM write, no claim change).
 *
 * @public
 */
export const CHANGE_TEMPLATE_OPERATIONS: ReadonlyArray<{
  operation: DatabaseOperation | 'repairCredentials';
  title: string;
}> = [
  { operation: 'growStorage', title: 'Grow storage' },
  { operation: 'changeSize', title: 'Change size' },
  { operation: 'upgradeVersion', title: 'Upgrade PostgreSQL' },
  { operation: 'decommission', title: 'Decommission (delete the database)' },
  {
    operation: 'repairCredentials',
    title: 'Repair credentials (the SSM username becomes the owner)',
  },
];

/**
 * A change asked for one database: the operation and the one value it needs.
 *
 * @public
 */
export interface DatabaseChange {
  /** What to do. */
  operation: DatabaseOperation;
  /** `growStorage`: the new storage in GB, more than today's. */
  storageGB?: number;
  /** `changeSize`: another offered size. */
  size?: string;
  /** `upgradeVersion`: a higher offered PostgreSQL major version. */
  version?: string;
  /** `decommission`: the database's name, typed by the person to confirm. */
  confirmName?: string;
}

/**
 * A field of a {@link DatabaseChange}.
 *
 * @public
 */
export type DatabaseChangeField = keyof DatabaseChange;

/**
 * One thing wrong with a change: the field and what to do instead.
 *
 * @public
 */
export interface ChangeProblem {
  /** The field to change. */
  field: DatabaseChangeField;
  /** What to change, in a user's words. */
  message: string;
}

/**
 * What the claim in the GitOps repository says today: the values a change starts from, and
 * who the claim says it belongs to.
 *
 * @public
 */
export interface ClaimManifest {
  /** The claim's name. */
  name: string;
  /** The claim's namespace. */
  namespace: string;
  /** Size class (`spec.size`). */
  size: string;
  /** PostgreSQL major version (`spec.version`), as text. */
  version: string;
  /** Storage in GB (`spec.storageGB`). */
  storageGB: number;
  /** The entity the claim names (`bizmatters.io/entity-ref`), when it names one. */
  entityRef?: string;
  /** The owner group the claim names (`bizmatters.io/owner`), when it names one. */
  owner?: string;
  /** `spec.databaseOwner`, the role CloudNativePG makes, when the claim names one. */
  databaseOwner?: string;
  /** `spec.connectionSecretName`, when the claim names one. */
  connectionSecretName?: string;
  /** `spec.credentialsSecretName`, when the claim names one. */
  credentialsSecretName?: string;
}

/** The platform XRD's defaults, for a claim that leaves a field out. */
const XRD_DEFAULTS = { size: 'small', version: '16', storageGB: 20 };

const LABELS: Record<DatabaseOperation, string> = {
  growStorage: 'grow storage',
  changeSize: 'change size',
  upgradeVersion: 'upgrade PostgreSQL',
  decommission: 'decommission',
};

/**
 * Reads a `PostgresInstance` manifest (YAML text, one document) as a {@link ClaimManifest}.
 * Throws an Error saying what is wrong when the text is not one.
 *
 * @public
 */
export function readClaimManifest(text: string): ClaimManifest {
  const doc = parseDocument(text);
  if (doc.errors.length) {
    throw new Error(`The claim is not valid YAML: ${doc.errors[0].message}`);
  }
  const claim = doc.toJS() as any;
  if (claim?.kind !== POSTGRES_INSTANCE_KIND) {
    throw new Error(
      `The file holds a ${
        claim?.kind ?? 'document without kind'
      }, not a ${POSTGRES_INSTANCE_KIND}`,
    );
  }
  const spec = claim.spec ?? {};
  const annotations = claim.metadata?.annotations ?? {};
  const storage = spec.storageGB ?? XRD_DEFAULTS.storageGB;
  if (typeof storage !== 'number' || !Number.isInteger(storage)) {
    throw new Error(`The claim's spec.storageGB is not a whole number`);
  }
  return {
    name: String(claim.metadata?.name ?? ''),
    namespace: String(claim.metadata?.namespace ?? ''),
    size: String(spec.size ?? XRD_DEFAULTS.size),
    version: String(spec.version ?? XRD_DEFAULTS.version),
    storageGB: storage,
    ...(typeof annotations[ENTITY_REF_ANNOTATION] === 'string'
      ? { entityRef: annotations[ENTITY_REF_ANNOTATION] }
      : {}),
    ...(typeof annotations[OWNER_ANNOTATION] === 'string'
      ? { owner: annotations[OWNER_ANNOTATION] }
      : {}),
    ...(typeof spec.databaseOwner === 'string'
      ? { databaseOwner: spec.databaseOwner }
      : {}),
    ...(typeof spec.connectionSecretName === 'string'
      ? { connectionSecretName: spec.connectionSecretName }
      : {}),
    ...(typeof spec.credentialsSecretName === 'string'
      ? { credentialsSecretName: spec.credentialsSecretName }
      : {}),
  };
}

function major(version: string): number | undefined {
  const m = /^(\d+)(?:\.\d+)*$/.exec(version.trim());
  return m ? Number(m[1]) : undefined;
}

/**
 * Checks a change against what the claim says today and the platform's policy: storage only
 * grows (CNPG cannot shrink a volume) and stays within the maximum; a size is another offered
 * one; a version is offered, higher, and at most `upgrades.maxMajorSteps` majors ahead; a
 * decommission names the database exactly. Returns every problem (empty when valid).
 *
 * @public
 */
export function validateDatabaseChange(
  current: ClaimManifest,
  change: unknown,
  policyInput?: PostgresPolicyInput,
): ChangeProblem[] {
  const policy = resolvePolicy(policyInput);
  const problems: ChangeProblem[] = [];
  const add = (field: DatabaseChangeField, message: string) =>
    problems.push({ field, message });
  const input = (
    typeof change === 'object' && change !== null ? change : {}
  ) as Record<string, unknown>;
  const operation = input.operation;
  if (!DATABASE_OPERATIONS.includes(operation as DatabaseOperation)) {
    add(
      'operation',
      `Choose what to do: ${DATABASE_OPERATIONS.map(o => LABELS[o]).join(
        ', ',
      )}.`,
    );
    return problems;
  }
  switch (operation as DatabaseOperation) {
    case 'growStorage': {
      const value = input.storageGB;
      const { max } = policy.storageGB;
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        add(
          'storageGB',
          `Enter the new storage as a whole number of GB, more than today's ${current.storageGB} GB.`,
        );
      } else if (value <= current.storageGB) {
        add(
          'storageGB',
          value === current.storageGB
            ? `The database already has ${value} GB; enter more to grow it.`
            : `Storage cannot shrink (CloudNativePG cannot make a volume smaller): the database has ${current.storageGB} GB; enter more than that.`,
        );
      } else if (value > max) {
        add(
          'storageGB',
          `${value} GB is more than the platform's maximum of ${max} GB; ask the platform team for more.`,
        );
      }
      break;
    }
    case 'changeSize': {
      const value = input.size;
      const offered = Object.keys(policy.sizes);
      if (typeof value !== 'string' || !offered.includes(value)) {
        add(
          'size',
          `Choose one of the offered sizes: ${offered
            .map(s => `'${s}'`)
            .join(', ')}.`,
        );
      } else if (value === current.size) {
        add('size', `The database is already '${value}'; choose another size.`);
      }
      break;
    }
    case 'upgradeVersion': {
      const value = input.version;
      const from = major(current.version);
      const to = typeof value === 'string' ? major(value) : undefined;
      const steps = policy.upgrades.maxMajorSteps;
      if (typeof value !== 'string' || !policy.versions.includes(value)) {
        add(
          'version',
          `Choose one of the offered versions: ${policy.versions
            .map(v => `'${v}'`)
            .join(', ')}.`,
        );
      } else if (from === undefined || to === undefined) {
        add(
          'version',
          `The claim's version '${current.version}' is not a PostgreSQL major version; the platform team must fix the claim first.`,
        );
      } else if (to <= from) {
        add(
          'version',
          to === from
            ? `The database already runs PostgreSQL ${current.version}.`
            : `PostgreSQL cannot be downgraded (from ${from} to ${to}): a downgrade needs a new database restored from a dump.`,
        );
      } else if (to - from > steps) {
        add(
          'version',
          `Upgrade one major version at a time${
            steps > 1 ? ` (at most ${steps})` : ''
          }: from ${from}, choose ${from + 1}${
            steps > 1 ? `–${from + steps}` : ''
          }.`,
        );
      }
      break;
    }
    default: {
      // decommission
      const value = input.confirmName;
      if (typeof value !== 'string' || value.trim() !== current.name) {
        add(
          'confirmName',
          `Type the database's name, ${current.name}, to confirm that it is to be removed.`,
        );
      }
      break;
    }
  }
  return problems;
}

/** The claim field each editing operation changes. */
const EDITED_FIELD: Record<
  Exclude<DatabaseOperation, 'decommission'>,
  'storageGB' | 'size' | 'version'
> = {
  growStorage: 'storageGB',
  changeSize: 'size',
  upgradeVersion: 'version',
};

/**
 * The claim's YAML text with the one field an operation changes set to its new value, and
 * nothing else touched: comments, key order, quoting and the other fields stay as they were.
 * The change must have been validated ({@link validateDatabaseChange}); decommission edits
 * nothing (its files are deleted).
 *
 * @public
 */
export function editClaimManifest(
  text: string,
  change: DatabaseChange,
): string {
  if (change.operation === 'decommission') {
    throw new Error('A decommission deletes the manifests; it edits none');
  }
  const field = EDITED_FIELD[change.operation];
  const value = change[field];
  if (value === undefined) {
    throw new Error(`The change has no ${field}`);
  }
  const doc = parseDocument(text);
  const spec = doc.get('spec', true);
  if (!isMap(spec)) {
    throw new Error('The claim has no spec to change');
  }
  const existing = spec.get(field, true) as { value?: unknown } | undefined;
  if (existing && typeof existing === 'object' && 'value' in existing) {
    existing.value = value;
  } else {
    spec.set(field, value);
  }
  return doc.toString({ lineWidth: 0 });
}

/**
 * A one-line summary of a change, for a pull request's title and a task's log.
 *
 * @public
 */
export function describeDatabaseChange(
  current: ClaimManifest,
  change: DatabaseChange,
): string {
  const db = `${current.namespace}/${current.name}`;
  switch (change.operation) {
    case 'growStorage':
      return `Grow storage of ${db} from ${current.storageGB} GB to ${change.storageGB} GB`;
    case 'changeSize':
      return `Change size of ${db} from ${current.size} to ${change.size}`;
    case 'upgradeVersion':
      return `Upgrade PostgreSQL of ${db} from ${current.version} to ${change.version}`;
    default:
      return `Decommission ${db}`;
  }
}

/**
 * A unified diff (`---`/`+++` headers, `-`/`+`/space lines, one hunk per group of changes with
 * up to `context` unchanged lines around it) of two versions of one file, for a dry run and a
 * pull request's description. Empty when nothing changed; a deleted file when `after` is
 * undefined.
 *
 * @public
 */
export function fileDiff(
  path: string,
  before: string,
  after: string | undefined,
  context = 2,
): string {
  if (after === before) return '';
  const a = before.split('\n');
  const b = after === undefined ? [] : after.split('\n');
  if (a[a.length - 1] === '') a.pop();
  if (b[b.length - 1] === '') b.pop();
  // longest common subsequence, table from the end
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () =>
    new Array(b.length + 1).fill(0),
  );
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] =
        a[i] === b[j]
          ? lcs[i + 1][j + 1] + 1
          : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const ops: Array<{ kind: ' ' | '-' | '+'; line: string }> = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i++] });
      j++;
    } else if (
      j < b.length &&
      (i >= a.length || lcs[i][j + 1] > lcs[i + 1][j])
    ) {
      ops.push({ kind: '+', line: b[j++] });
    } else {
      ops.push({ kind: '-', line: a[i++] });
    }
  }
  const keep = ops.map((_op, k) =>
    ops
      .slice(Math.max(0, k - context), k + context + 1)
      .some(o => o.kind !== ' '),
  );
  const out = [
    `--- a/${path}`,
    after === undefined ? '+++ /dev/null' : `+++ b/${path}`,
  ];
  let oldLine = 1;
  let newLine = 1;
  for (let k = 0; k < ops.length; ) {
    if (!keep[k]) {
      if (ops[k].kind !== '+') oldLine++;
      if (ops[k].kind !== '-') newLine++;
      k++;
      continue;
    }
    const hunk: string[] = [];
    const start = { old: oldLine, new: newLine };
    let olds = 0;
    let news = 0;
    for (; k < ops.length && keep[k]; k++) {
      hunk.push(`${ops[k].kind}${ops[k].line}`);
      if (ops[k].kind !== '+') {
        olds++;
        oldLine++;
      }
      if (ops[k].kind !== '-') {
        news++;
        newLine++;
      }
    }
    out.push(
      `@@ -${olds ? start.old : start.old - 1},${olds} +${
        news ? start.new : start.new - 1
      },${news} @@`,
      ...hunk,
    );
  }
  return `${out.join('\n')}\n`;
}
