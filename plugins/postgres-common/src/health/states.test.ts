import fs from 'fs';
import path from 'path';
import { deriveDatabaseHealth } from './derive';
import type { DatabaseObjects, HealthOptions } from './types';
import { selectDatabaseObjects, isPostgresInstance } from '../select';
import { readExample } from '../__testUtils__/reference';
import {
  CNPG_PHASE_STATES,
  STATES,
  StateId,
  StateRow,
  STATUS_OF,
  VERDICT_OF,
  statesMarkdown,
} from './states';
import { clusterFacts } from './facts';
import type { StepId } from './types';

// Each case starts from a reference example (objects written from the CRDs) and sets what the
// operator's own source or docs say it writes in that state: CNPG api/v1/cluster_types.go
// phases and docs/src/declarative_hibernation.md, ESO externalsecret_types.go reasons and
// controller messages, crossplane-runtime condition.go reasons.

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

function objectsOf(file: string): DatabaseObjects {
  const items = readExample(file);
  return clone(selectDatabaseObjects(items.find(isPostgresInstance)!, items));
}
const ssm = () => objectsOf('01-healthy-ssm-externalsecret-variant.json');
const zeroTouch = () => objectsOf('02-healthy-zero-touch-head-variant.json');
const example04 = () =>
  objectsOf('04-externalsecret-ssm-parameter-missing.json');
/** An example without some of its objects. */
const without =
  (base: () => DatabaseObjects, ...keys: Array<keyof DatabaseObjects>) =>
  () => {
    const o = base();
    for (const k of keys) delete o[k];
    return o;
  };
/** An example with a patch applied. */
const patched =
  (base: () => DatabaseObjects, patch: (o: DatabaseObjects) => void) => () => {
    const o = base();
    patch(o);
    return o;
  };

const T0 = '2026-03-05T16:43:35Z';
const MINUTE = 60_000;
/** Within `stuckAfterSeconds` of T0, and well past it. */
const soon = { now: Date.parse(T0) + 2 * MINUTE };
const late = { now: Date.parse(T0) + 60 * MINUTE };

function cluster(o: DatabaseObjects, status: any, meta: any = {}) {
  o.cluster!.status = { ...o.cluster!.status, ...status };
  o.cluster!.metadata = { ...o.cluster!.metadata, ...meta };
  return o;
}
function phase(p: string, extra: any = {}) {
  return cluster(ssm(), {
    phase: p,
    conditions: [
      {
        type: 'Ready',
        status: 'False',
        reason: 'ClusterIsNotReady',
        message: 'Cluster Is Not Ready',
        lastTransitionTime: T0,
      },
    ],
    ...extra,
  });
}
function esReady(o: DatabaseObjects, ready: any, extra: any = {}) {
  o.externalSecret!.status = {
    ...o.externalSecret!.status,
    conditions: [{ type: 'Ready', lastTransitionTime: T0, ...ready }],
    ...extra,
  };
  return o;
}
function claimConditions(o: DatabaseObjects, conditions: any[]) {
  o.claim!.status = { ...o.claim!.status, conditions };
  return o;
}
const waiting = {
  type: 'Ready',
  status: 'False',
  reason: 'Waiting',
  message: 'Claim is waiting for composite resource to become Ready',
  lastTransitionTime: T0,
};
const syncedOk = {
  type: 'Synced',
  status: 'True',
  reason: 'ReconcileSuccess',
  lastTransitionTime: T0,
};

interface Case {
  objects: () => DatabaseObjects;
  options?: HealthOptions;
  /** The operator's reason where it replaces the row's. */
  reason?: string;
  /** False when another hop explains the verdict (e.g. a hop that waits for an upstream one). */
  explainsVerdict?: boolean;
  /** Text the message must hold. */
  message?: string | RegExp;
}

const cases: Record<StateId, Case> = {
  unreadable: {
    objects: () => {
      const o = ssm();
      delete o.cluster;
      o.unreadable = { cluster: 'clusters.postgresql.cnpg.io is forbidden' };
      return o;
    },
    message: 'forbidden',
  },
  esNotUsed: { objects: zeroTouch },
  esManagedElsewhere: {
    objects: without(ssm, 'externalSecret'),
  },
  esNotFound: {
    objects: without(ssm, 'externalSecret', 'credentialsSecret'),
  },
  esDeleting: {
    objects: patched(ssm, o => {
      o.externalSecret!.metadata!.deletionTimestamp = T0;
    }),
    message: 'being deleted',
  },
  esNotReconciled: {
    objects: () => {
      const o = ssm();
      delete o.externalSecret!.status;
      delete o.credentialsSecret;
      return o;
    },
  },
  esStuck: {
    objects: () => {
      const o = ssm();
      delete o.externalSecret!.status;
      delete o.credentialsSecret;
      o.externalSecret!.metadata!.creationTimestamp = T0;
      return o;
    },
    options: late,
    message: '60 min',
  },
  esDeleted: {
    objects: () => {
      // v0.9.13 markAsDone(…, ConditionReasonSecretDeleted, "secret deleted due to DeletionPolicy")
      const o = esReady(ssm(), {
        status: 'True',
        reason: 'SecretDeleted',
        message: 'secret deleted due to DeletionPolicy',
      });
      delete o.credentialsSecret;
      return o;
    },
    message: 'secret deleted due to DeletionPolicy',
  },
  esSyncError: {
    objects: example04,
    message: 'could not get secret data from provider',
  },
  esChangeNotSynced: {
    // ESO writes syncedResourceVersion "<generation>-<hash>" when it syncs (markAsDone)
    objects: patched(ssm, o => {
      o.externalSecret!.metadata!.generation = 2;
    }),
    message: 'generation 2',
  },
  esChangeIgnored: {
    objects: patched(ssm, o => {
      o.externalSecret!.metadata!.generation = 2;
      o.externalSecret!.spec.refreshPolicy = 'CreatedOnce';
    }),
    message: 'CreatedOnce',
  },
  esSynced: { objects: ssm, message: 'Secret was synced' },
  esSyncedOnce: {
    objects: patched(ssm, o => {
      o.externalSecret!.spec.refreshInterval = '0s';
    }),
    message: /refreshInterval 0s.*rotated/,
  },
  esUnknown: {
    objects: () =>
      esReady(ssm(), {
        status: 'Unknown',
        reason: 'Refreshing',
        message: 'in flight',
      }),
    message: 'Ready=Unknown, reason Refreshing',
  },

  credsWaitingForCluster: {
    objects: () => {
      const o = zeroTouch();
      delete o.cluster;
      delete o.credentialsSecret;
      delete o.connectionSecret;
      return claimConditions(o, [syncedOk, waiting]);
    },
  },
  credsNotMadeByCnpg: {
    objects: without(zeroTouch, 'credentialsSecret'),
  },
  credsWaitingForExternalSecret: {
    objects: example04,
    explainsVerdict: false,
  },
  credsMissing: {
    objects: without(ssm, 'credentialsSecret'),
  },
  credsWrongType: {
    objects: patched(ssm, o => {
      o.credentialsSecret = { ...o.credentialsSecret!, type: 'Opaque' };
    }),
  },
  credsMissingKeys: {
    objects: patched(ssm, o => {
      o.credentialsSecret = { ...o.credentialsSecret!, keys: ['username'] };
    }),
  },
  credsOwnerMismatch: {
    objects: () => objectsOf('05-databaseowner-username-mismatch.json'),
  },
  credsPresent: { objects: ssm },

  claimNotFound: {
    objects: without(ssm, 'claim'),
  },
  claimDeleting: {
    objects: patched(ssm, o => {
      o.claim!.metadata!.deletionTimestamp = T0;
    }),
    message: 'being deleted',
  },
  claimReconcileError: {
    objects: () =>
      claimConditions(ssm(), [
        {
          type: 'Synced',
          status: 'False',
          reason: 'ReconcileError',
          message: 'cannot compose resources',
          lastTransitionTime: T0,
        },
      ]),
    message: 'cannot compose resources',
  },
  claimPaused: {
    objects: () =>
      claimConditions(ssm(), [
        {
          type: 'Synced',
          status: 'False',
          reason: 'ReconcilePaused',
          message: 'Reconciliation is paused via the pause annotation',
          lastTransitionTime: T0,
        },
      ]),
  },
  claimNotReconciled: {
    objects: () => claimConditions(ssm(), []),
  },
  claimNoComposite: {
    objects: () => {
      const o = claimConditions(ssm(), []);
      delete o.claim!.spec.resourceRef;
      return o;
    },
  },
  claimStuck: {
    objects: () => {
      const o = claimConditions(ssm(), []);
      delete o.claim!.spec.resourceRef;
      o.claim!.metadata!.creationTimestamp = T0;
      return o;
    },
    options: late,
  },
  claimChangeNotApplied: {
    objects: () => {
      const o = claimConditions(ssm(), [
        { ...syncedOk, observedGeneration: 3 },
        {
          type: 'Ready',
          status: 'True',
          reason: 'Available',
          lastTransitionTime: T0,
          observedGeneration: 3,
        },
      ]);
      o.claim!.metadata!.generation = 4;
      return o;
    },
    message: 'generation 4',
  },
  claimWaiting: {
    objects: () => claimConditions(ssm(), [syncedOk, waiting]),
    message: 'Claim is waiting for composite resource to become Ready',
  },
  claimUnavailable: {
    objects: () =>
      claimConditions(ssm(), [
        syncedOk,
        {
          type: 'Ready',
          status: 'False',
          reason: 'Unavailable',
          lastTransitionTime: T0,
        },
      ]),
  },
  claimAvailable: { objects: ssm },
  claimUnknown: {
    objects: () =>
      claimConditions(ssm(), [
        syncedOk,
        {
          type: 'Ready',
          status: 'False',
          reason: 'Unhealthy',
          lastTransitionTime: T0,
        },
      ]),
    message: 'reason Unhealthy',
  },

  clusterMissing: {
    objects: without(ssm, 'cluster'),
  },
  clusterNotCreated: {
    objects: () => {
      const o = claimConditions(ssm(), [syncedOk, waiting]);
      delete o.cluster;
      return o;
    },
    explainsVerdict: false,
  },
  clusterDeleting: {
    objects: () => cluster(ssm(), {}, { deletionTimestamp: T0 }),
    message: 'being deleted',
  },
  clusterSuspended: {
    // docs/src/failure_modes.md: metadata.annotations cnpg.io/reconciliationLoop: "disabled"
    objects: () =>
      cluster(
        ssm(),
        {},
        { annotations: { 'cnpg.io/reconciliationLoop': 'disabled' } },
      ),
    message: 'not acting',
  },
  clusterHibernated: {
    // docs/src/declarative_hibernation.md: the condition and `kubectl cnpg status` of a
    // hibernated cluster (Status "Cluster in healthy state", Ready instances 0 of 3)
    objects: () => {
      const o = cluster(
        ssm(),
        {
          phase: 'Cluster in healthy state',
          instances: 3,
          readyInstances: 0,
          conditions: [
            {
              lastTransitionTime: '2023-03-05T16:43:35Z',
              message: 'Cluster has been hibernated',
              reason: 'Hibernated',
              status: 'True',
              type: 'cnpg.io/hibernation',
            },
          ],
        },
        { annotations: { 'cnpg.io/hibernation': 'on' } },
      );
      o.cluster!.spec.instances = 3;
      return o;
    },
    reason: 'Hibernated',
    message: 'Hibernated on purpose',
  },
  clusterHibernating: {
    objects: () =>
      cluster(
        ssm(),
        {
          conditions: [
            {
              type: 'cnpg.io/hibernation',
              status: 'False',
              reason: 'DeletingPods',
              message: 'Hibernation is in progress',
              lastTransitionTime: T0,
            },
          ],
        },
        { annotations: { 'cnpg.io/hibernation': 'on' } },
      ),
    reason: 'DeletingPods',
    message: 'Hibernation is in progress',
  },
  clusterNotReported: {
    objects: () => {
      const o = ssm();
      delete o.cluster!.status;
      return o;
    },
    message: 'Being set up',
  },
  clusterHealthy: { objects: ssm },
  clusterInstancesNotReady: {
    objects: () => {
      const o = cluster(ssm(), { instances: 3, readyInstances: 2 });
      o.cluster!.spec.instances = 3;
      return o;
    },
    message: '2 of 3',
  },
  clusterReadyFalse: {
    objects: () =>
      cluster(ssm(), {
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'ClusterIsNotReady',
            message: 'Cluster Is Not Ready',
            lastTransitionTime: T0,
          },
        ],
      }),
  },
  clusterProgressing: {
    objects: () => phase('Creating a new replica'),
    options: soon,
  },
  clusterSettingUp: {
    objects: () => objectsOf('03-cluster-stuck-setting-up-primary.json'),
    message: 'Creating primary instance agent-executor-db-1',
  },
  clusterFailingOver: {
    objects: () =>
      phase('Failing over', {
        instances: 3,
        readyInstances: 2,
        currentPrimary: 'agent-executor-db-1',
        targetPrimary: 'agent-executor-db-2',
        currentPrimaryFailingSinceTimestamp: T0,
      }),
    options: soon,
    message: /agent-executor-db-1 → agent-executor-db-2.*Writes fail/,
  },
  clusterSwitchover: {
    objects: () =>
      phase('Switchover in progress', {
        currentPrimary: 'agent-executor-db-1',
        targetPrimary: 'agent-executor-db-2',
        targetPrimaryTimestamp: T0,
      }),
    options: soon,
  },
  clusterUpgradeDelayed: {
    objects: () => phase('Cluster upgrade delayed'),
  },
  clusterWaitingForUser: {
    objects: () => phase('Waiting for user action'),
  },
  clusterUnrecoverable: {
    objects: () =>
      phase('Cluster is unrecoverable and needs manual intervention', {
        phaseReason:
          'No pods are active, the cluster needs manual intervention ',
      }),
    message: 'No pods are active',
  },
  clusterUnknownPlugin: {
    objects: () =>
      phase(
        'Cluster cannot proceed to reconciliation due to an unknown plugin being required',
      ),
  },
  clusterPluginError: {
    objects: () =>
      phase(
        'Cluster cannot proceed to reconciliation due to an error while interacting with plugins',
      ),
  },
  clusterImageCatalogError: {
    objects: () => phase('Cluster has incomplete or invalid image catalog'),
  },
  clusterArchitectureMissing: {
    objects: () =>
      phase(
        'Cluster cannot execute instance online upgrade due to missing architecture binary',
      ),
  },
  clusterCannotCreateObjects: {
    objects: () => phase('Unable to create required cluster objects'),
  },
  clusterInvalidDefinition: {
    objects: () => phase('Invalid cluster definition'),
  },
  clusterStuck: {
    // a failover that has lasted an hour: failed, even with replicas ready
    objects: () =>
      phase('Failing over', {
        instances: 3,
        readyInstances: 2,
        currentPrimaryFailingSinceTimestamp: T0,
      }),
    options: late,
    message: "'Failing over' for 60 min",
  },
  clusterStuckSettingUp: {
    objects: () => objectsOf('03-cluster-stuck-setting-up-primary.json'),
    options: { now: Date.parse('2025-12-15T11:02:15Z') },
    message: '60 min',
  },
  clusterStuckServing: {
    objects: () => phase('Creating a new replica', { readyInstances: 1 }),
    options: late,
  },
  clusterUnknownPhase: {
    objects: () => phase('Something new in CNPG 2.0'),
    message: "'Something new in CNPG 2.0'",
  },

  connWaiting: {
    objects: example04,
    explainsVerdict: false,
  },
  connMissing: {
    objects: without(ssm, 'connectionSecret'),
  },
  connMissingKeys: {
    objects: patched(ssm, o => {
      o.connectionSecret = { ...o.connectionSecret!, keys: ['endpoint'] };
    }),
  },
  connUsernameMismatch: {
    objects: patched(ssm, o => {
      o.connectionSecret = { ...o.connectionSecret!, username: 'someone' };
    }),
  },
  connPresent: { objects: ssm },
};

/** The hop a row belongs to (the `any` row is tested on the cluster). */
const hopOf = (row: StateRow): StepId =>
  row.hop === 'any' ? 'cluster' : row.hop;

describe('the state table', () => {
  it('has a case for every row, and every row is reachable', () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(STATES).sort());
  });

  it.each(Object.keys(STATES) as StateId[])('%s', id => {
    const row: StateRow = STATES[id];
    const c = cases[id];
    const health = deriveDatabaseHealth(c.objects(), c.options);
    const hop = hopOf(row);
    const step = health.steps.find(s => s.id === hop)!;
    expect({ status: step.status, reason: step.reason }).toEqual({
      status: STATUS_OF[row.severity],
      reason: c.reason ?? row.reason,
    });
    // the verdict, unless another hop explains it (a hop waiting for an upstream one)
    const explains = c.explainsVerdict !== false;
    expect({
      verdict: explains ? health.verdict : '(explained upstream)',
      failingStep: explains ? health.failingStep : '(explained upstream)',
    }).toEqual({
      verdict: explains ? VERDICT_OF[row.severity] : '(explained upstream)',
      failingStep: explains
        ? (row.severity !== 'ok' && hop) || undefined
        : '(explained upstream)',
    });
    // a row with a hint gives it, every placeholder filled
    expect(step.hint === undefined).toBe(row.hint === undefined);
    expect(step.hint ?? '').not.toMatch(/\{\w+\}/);
    expect(step.message).toMatch(c.message ?? '');
  });

  it('gives every CNPG phase of the reference vocabulary a meaning', () => {
    const vocab = JSON.parse(
      fs.readFileSync(
        path.resolve(
          __dirname,
          '../../../../fixtures/reference/status-vocabulary.json',
        ),
        'utf8',
      ),
    );
    const texts: string[] = Object.entries(vocab.cnpg.phases)
      .filter(
        ([bucket]) => !['unknown', 'versionNotes', 'notes'].includes(bucket),
      )
      .flatMap(([, list]) => list as string[]);
    expect(texts.filter(t => !(t in CNPG_PHASE_STATES))).toEqual([]);
    // our meaning, not the reference's first guess: failover and switchover are degraded
    expect(STATES[CNPG_PHASE_STATES['Failing over']].severity).toBe('degraded');
    expect(STATES[CNPG_PHASE_STATES['Switchover in progress']].severity).toBe(
      'degraded',
    );
    expect(vocab.cnpg.phases.healthy).toEqual(
      Object.keys(CNPG_PHASE_STATES).filter(
        p => CNPG_PHASE_STATES[p] === 'clusterHealthy',
      ),
    );
  });

  it('is documented in the README as it is in the code', () => {
    const readme = fs.readFileSync(
      path.resolve(__dirname, '../../README.md'),
      'utf8',
    );
    // regenerate with: node -e "…statesMarkdown()" (see the README section)
    expect(readme).toContain(statesMarkdown());
  });
});

/**
 * What a person on the Databases tab can do with a hint: a portal action (one of the curated
 * templates, by its title, or the tab itself), or who to ask for what. The portal's users do
 * not have kubectl on the clusters nor write access to the GitOps repository's main branch:
 * a command or a Git edit is something to ask the platform team for, precisely.
 */
const TEMPLATE_TITLES = fs
  .readdirSync(path.resolve(__dirname, '../../../../templates'))
  .map(
    dir =>
      /\ntitle: (.+)\n/.exec(
        fs
          .readFileSync(
            path.resolve(
              __dirname,
              '../../../../templates',
              dir,
              'template.yaml',
            ),
            'utf8',
          )
          .replace(/^ {2}title:/m, 'title:')
          .replace(/\n {2}title:/, '\ntitle:'),
      )?.[1],
  )
  .filter(Boolean) as string[];
const PORTAL_ACTION = new RegExp(
  `"(${TEMPLATE_TITLES.join('|')})"|the Databases tab`,
);
const ASK = /\bask the platform team (to|for|whether|which|what|when)\b/i;
/** What only someone with the cluster or the GitOps repository can do. */
const OPERATOR_ONLY =
  /kubectl|\bannotat|\bin Git\b|\bspec\.|\bcheck\b|\blook at\b|\bread (the|its)\b|\bwrite\b|\bremove\b|\bset\b|\bfix\b|\brestore\b|\binstall\b|\bdelete\b|\bmap\b/i;

function actionable(hint: string): string[] {
  const problems: string[] = [];
  if (!PORTAL_ACTION.test(hint) && !ASK.test(hint)) {
    problems.push('neither a portal action nor whom to ask for what');
  }
  // each sentence that asks for an operator's work says that the platform team does it
  const sentences = hint.split(/(?<=[.;:])\s+(?=[A-Z])/);
  for (const sentence of sentences) {
    if (OPERATOR_ONLY.test(sentence) && !ASK.test(sentence)) {
      problems.push(`an operator's work without whom to ask: "${sentence}"`);
    }
  }
  return problems;
}

describe('every hint can be acted on from the portal', () => {
  it('finds the curated templates', () => {
    expect(TEMPLATE_TITLES).toContain('Change Postgres DB');
  });

  it.each(
    (Object.keys(STATES) as StateId[]).filter(
      id => (STATES[id] as StateRow).hint,
    ),
  )('%s', id => {
    const c = cases[id];
    const health = deriveDatabaseHealth(c.objects(), c.options);
    const step = health.steps.find(s => s.id === hopOf(STATES[id]))!;
    expect(actionable(step.hint!)).toEqual([]);
  });

  it("an owner mismatch never advises an owner that the owner rule refuses (billing: 'billing-app')", () => {
    const o = objectsOf('05-databaseowner-username-mismatch.json');
    const h = deriveDatabaseHealth(o);
    const creds = h.steps.find(s => s.id === 'credentialsSecret')!;
    // the SSM username 'agent-executor' has a hyphen: no databaseOwner can be set to it
    expect(creds.hint).not.toMatch(/databaseOwner/);
    // the portal's own repair first, then whom to ask if it is refused
    expect(creds.hint).toContain(
      `Choose "Repair credentials" in "Change Postgres DB" (the Change menu on the Databases tab): it puts 'agent_executor', the owner the claim names, in the SSM parameter /zerotouch/prod/agent-executor/postgres/user`,
    );
    expect(creds.hint).toContain(
      "If the repair is refused, ask the platform team to write 'agent_executor' to the SSM parameter /zerotouch/prod/agent-executor/postgres/user",
    );
  });

  it('the repair a hint names is an operation the Change template offers', () => {
    const change = fs.readFileSync(
      path.resolve(
        __dirname,
        '../../../../templates/change-postgres-db/template.yaml',
      ),
      'utf8',
    );
    for (const id of Object.keys(STATES) as StateId[]) {
      const hint = (STATES[id] as StateRow).hint ?? '';
      for (const [, operation] of hint.matchAll(
        /Choose "([^"]+)" in "Change Postgres DB"/g,
      )) {
        expect(change).toContain(`- ${operation} (`);
      }
    }
  });
});

describe('the issue’s cases', () => {
  const step = (o: DatabaseObjects, id: StepId, opts?: HealthOptions) =>
    deriveDatabaseHealth(o, opts).steps.find(s => s.id === id)!;

  it('a failover is degraded while it lasts, not progressing', () => {
    expect(deriveDatabaseHealth(phase('Failing over'), soon).verdict).toBe(
      'degraded',
    );
  });

  it('a failover with no new primary chosen yet says so (targetPrimary "pending")', () => {
    const o = phase('Failing over', {
      phaseReason: 'Initiating a failover from agent-executor-db-1',
      currentPrimary: 'agent-executor-db-1',
      targetPrimary: 'pending',
    });
    expect(step(o, 'cluster', soon).message).toContain(
      'primary agent-executor-db-1 lost, a new one not chosen yet',
    );
  });

  it('a failover, a switchover and a change in progress say since when and for how long', () => {
    const failing = phase('Failing over', {
      currentPrimary: 'agent-executor-db-1',
      targetPrimary: 'pending',
      currentPrimaryFailingSinceTimestamp: T0,
    });
    expect(step(failing, 'cluster', soon).message).toContain(
      `since ${T0} (2 min)`,
    );
    const switching = phase('Switchover in progress', {
      currentPrimary: 'agent-executor-db-1',
      targetPrimary: 'agent-executor-db-2',
      targetPrimaryTimestamp: T0,
    });
    expect(step(switching, 'cluster', soon).message).toContain(
      `since ${T0} (2 min)`,
    );
    expect(
      step(phase('Creating a new replica'), 'cluster', soon).message,
    ).toContain(`since ${T0} (2 min)`);
    // without a clock, the start time alone
    expect(step(failing, 'cluster').message).toContain(`since ${T0}`);
  });

  it('the cluster facts shown beside the steps never contradict them', () => {
    const hibernated = cluster(
      ssm(),
      {
        phase: 'Cluster in healthy state',
        instances: 1,
        readyInstances: 0,
        currentPrimary: 'agent-executor-db-1',
        conditions: [
          {
            type: 'cnpg.io/hibernation',
            status: 'True',
            reason: 'Hibernated',
            lastTransitionTime: T0,
          },
        ],
      },
      { annotations: { 'cnpg.io/hibernation': 'on' } },
    );
    const h = deriveDatabaseHealth(hibernated, soon);
    const facts = clusterFacts(
      {
        phase: 'Cluster in healthy state',
        instances: 1,
        readyInstances: 0,
        currentPrimary: 'agent-executor-db-1',
      },
      h.steps.find(st => st.id === 'cluster')!,
    );
    expect(facts.phase).not.toMatch(/^Cluster in healthy state/);
    expect(facts.phase).toMatch(/^Hibernated/);
    expect(facts.primary).toMatch(/none running/);

    const failing = phase('Failing over', {
      currentPrimary: 'agent-executor-db-1',
      targetPrimary: 'pending',
      instances: 2,
      readyInstances: 1,
    });
    const f = clusterFacts(
      {
        phase: 'Failing over',
        instances: 2,
        readyInstances: 1,
        currentPrimary: 'agent-executor-db-1',
      },
      deriveDatabaseHealth(failing, soon).steps.find(
        st => st.id === 'cluster',
      )!,
    );
    expect(f.primary).toBe(
      'agent-executor-db-1 (lost; a new one not chosen yet)',
    );

    const healthy = clusterFacts(
      {
        phase: 'Cluster in healthy state',
        instances: 1,
        readyInstances: 1,
        currentPrimary: 'agent-executor-db-1',
      },
      deriveDatabaseHealth(ssm()).steps.find(st => st.id === 'cluster')!,
    );
    expect(healthy).toEqual({
      phase: 'Cluster in healthy state',
      instances: '1/1',
      primary: 'agent-executor-db-1',
    });
  });

  it('a suspended cluster is not healthy even though its frozen phase says so', () => {
    const o = cluster(
      ssm(),
      {},
      { annotations: { 'k8s.enterprisedb.io/reconciliationLoop': 'disabled' } },
    );
    expect(o.cluster!.status.phase).toBe('Cluster in healthy state');
    expect(deriveDatabaseHealth(o).verdict).toBe('degraded');
    expect(step(o, 'cluster').message).toContain(
      'k8s.enterprisedb.io/reconciliationLoop',
    );
    expect(step(o, 'cluster').hint).toContain(
      'k8s.enterprisedb.io/reconciliationLoop-',
    );
    // any other value leaves the loop on (IsReconciliationDisabled compares with "disabled")
    const on = cluster(
      ssm(),
      {},
      { annotations: { 'cnpg.io/reconciliationLoop': 'enabled' } },
    );
    expect(deriveDatabaseHealth(on).verdict).toBe('healthy');
  });

  it('a hibernated cluster says how to wake it, not "0 of 3 instances ready"', () => {
    const h = deriveDatabaseHealth(cases.clusterHibernated.objects());
    const s = h.steps.find(x => x.id === 'cluster')!;
    expect(s.message).not.toContain('0 of 3');
    expect(s.hint).toContain('cnpg.io/hibernation-');
  });

  it('a cluster with no status yet is being set up until it is stuck', () => {
    const o = () => {
      const x = ssm();
      delete x.cluster!.status;
      x.cluster!.metadata!.creationTimestamp = T0;
      return x;
    };
    expect(deriveDatabaseHealth(o(), soon).verdict).toBe('progressing');
    expect(deriveDatabaseHealth(o(), late)).toMatchObject({
      verdict: 'failed',
      failingStep: 'cluster',
    });
  });

  it('an OnChange ExternalSecret whose Ready condition predates its last refresh is synced', () => {
    // ESO keeps lastTransitionTime while Ready stays True (util.go SetExternalSecretCondition)
    // and sets refreshTime on every sync (markAsDone): reference example 01 is such a case
    const o = ssm();
    o.externalSecret!.spec.refreshPolicy = 'OnChange';
    const es = o.externalSecret!.status;
    expect(Date.parse(es.conditions[0].lastTransitionTime)).toBeLessThan(
      Date.parse(es.refreshTime),
    );
    const h = deriveDatabaseHealth(o);
    expect(h.verdict).toBe('healthy');
    expect(step(o, 'externalSecret')).toMatchObject({ reason: 'SecretSynced' });
    expect(step(o, 'externalSecret').message).toContain(
      'refreshPolicy OnChange',
    );
    // what says the latest change is not synced is the generation ESO synced
    o.externalSecret!.metadata!.generation = 2;
    expect(deriveDatabaseHealth(o)).toMatchObject({
      verdict: 'progressing',
      failingStep: 'externalSecret',
    });
  });

  it('a v1-era ResourceSyncedError keeps its own reason', () => {
    const o = esReady(ssm(), {
      status: 'False',
      reason: 'ResourceSyncedError',
      message: 'could not update secret, target is immutable',
    });
    expect(step(o, 'externalSecret')).toMatchObject({
      status: 'error',
      reason: 'ResourceSyncedError',
    });
  });

  it('a claim that is being deleted by Crossplane says so', () => {
    const o = claimConditions(ssm(), [
      syncedOk,
      {
        type: 'Ready',
        status: 'False',
        reason: 'Deleting',
        lastTransitionTime: T0,
      },
    ]);
    expect(step(o, 'claim')).toMatchObject({
      status: 'pending',
      reason: 'Deleting',
    });
  });
});

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('unknown words (property)', () => {
  const rnd = random(20261129);
  const alphabet =
    'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.:/()\'"{}|é→';
  const word = () => {
    const n = 1 + Math.floor(rnd() * 40);
    let s = '';
    for (let i = 0; i < n; i++)
      s += alphabet[Math.floor(rnd() * alphabet.length)];
    return s.trim() || 'x';
  };
  const known = new Set<string>([
    ...Object.keys(CNPG_PHASE_STATES),
    'True',
    'False',
    'Available',
    'Waiting',
    'Creating',
    'Unavailable',
    'Deleting',
    'ReconcileSuccess',
    'ReconcileError',
    'ReconcilePaused',
    'SecretSynced',
    'SecretSyncedError',
    'SecretDeleted',
    'SecretMissing',
    'ResourceSynced',
    'ResourceSyncedError',
    'ResourceDeleted',
    'ResourceMissing',
    'Hibernated',
    'DeletingPods',
    'WaitingPodsDeletion',
    'WaitingForHealthy',
    'WrongAnnotationValue',
  ]);
  const fresh = () => {
    let w = word();
    while (known.has(w)) w = word();
    return w;
  };

  /** Where an unknown word can appear, and which hop must then be `unknown`. */
  const places: Array<[string, StepId, (w: string) => DatabaseObjects]> = [
    ['CNPG phase', 'cluster', w => phase(w)],
    [
      'CNPG hibernation reason',
      'cluster',
      w =>
        cluster(ssm(), {
          conditions: [
            { type: 'cnpg.io/hibernation', status: 'True', reason: w },
          ],
        }),
    ],
    [
      'ESO Ready=True reason',
      'externalSecret',
      w => esReady(ssm(), { status: 'True', reason: w }),
    ],
    [
      'ESO Ready=False reason',
      'externalSecret',
      w => esReady(ssm(), { status: 'False', reason: w }),
    ],
    [
      'ESO Ready status',
      'externalSecret',
      w => esReady(ssm(), { status: w, reason: 'SecretSynced' }),
    ],
    [
      'Crossplane Synced=False reason',
      'claim',
      w =>
        claimConditions(ssm(), [
          { type: 'Synced', status: 'False', reason: w },
        ]),
    ],
    [
      'Crossplane Synced status',
      'claim',
      w =>
        claimConditions(ssm(), [
          { type: 'Synced', status: w, reason: 'ReconcileSuccess' },
        ]),
    ],
    [
      'Crossplane Ready=True reason',
      'claim',
      w =>
        claimConditions(ssm(), [
          syncedOk,
          { type: 'Ready', status: 'True', reason: w },
        ]),
    ],
    [
      'Crossplane Ready=False reason',
      'claim',
      w =>
        claimConditions(ssm(), [
          syncedOk,
          { type: 'Ready', status: 'False', reason: w },
        ]),
    ],
    [
      'Crossplane Ready status',
      'claim',
      w =>
        claimConditions(ssm(), [
          syncedOk,
          { type: 'Ready', status: w, reason: 'Available' },
        ]),
    ],
  ];

  it.each(places)(
    'an unknown %s is unknown, with the raw text',
    (_, hop, make) => {
      for (let i = 0; i < 200; i++) {
        const w = fresh();
        const h = deriveDatabaseHealth(make(w), late);
        const s = h.steps.find(x => x.id === hop)!;
        expect([w, h.verdict, h.failingStep, s.status]).toEqual([
          w,
          'unknown',
          hop,
          'unknown',
        ]);
        expect(s.message).toContain(w);
      }
    },
  );

  it('values of the wrong type anywhere never crash and never read healthy', () => {
    const junk = [null, 42, true, [], {}, [1, 'a'], { a: 1 }, 'x', -1, NaN];
    const pick = () => junk[Math.floor(rnd() * junk.length)];
    // [set a field, whether the verdict may still be healthy]: status the operators write
    // decides; a malformed one is never read as healthy
    const fields: Array<[(o: any, v: unknown) => void, boolean]> = [
      [(o, v) => (o.cluster.status = v), false],
      [(o, v) => (o.cluster.status.phase = v), false],
      [(o, v) => (o.claim.status = v), false],
      [(o, v) => (o.claim.status.conditions = v), false],
      [(o, v) => (o.externalSecret.status = v), false],
      [(o, v) => (o.externalSecret.status.conditions = v), false],
      // the phase decides for CNPG; spec and metadata junk only must not crash
      [(o, v) => (o.cluster.status.conditions = v), true],
      [(o, v) => (o.cluster.metadata.annotations = v), true],
      [(o, v) => (o.cluster.spec = v), true],
      [(o, v) => (o.claim.spec = v), true],
      [(o, v) => (o.externalSecret.spec = v), true],
      [(o, v) => (o.externalSecret.metadata = v), true],
    ];
    for (let i = 0; i < 500; i++) {
      const o: any = ssm();
      const [set, mayBeHealthy] = fields[Math.floor(rnd() * fields.length)];
      const v = pick();
      set(o, v);
      let verdict: string | undefined;
      expect(() => {
        verdict = deriveDatabaseHealth(o, late).verdict;
      }).not.toThrow();
      expect([v, mayBeHealthy || verdict !== 'healthy']).toEqual([v, true]);
    }
  });
});
