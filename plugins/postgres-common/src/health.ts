import { KubeObject } from './manifests';
import { SecretSummary } from './secrets';
import { claimSecretNames } from './request';
import {
  BASIC_AUTH_SECRET_TYPE,
  CNPG_ATTENTION_PHASES,
  CNPG_FAILED_PHASES,
  CNPG_HEALTHY_PHASE,
  CNPG_PROGRESSING_PHASES,
  CONNECTION_SECRET_KEYS,
  CREDENTIALS_SECRET_KEYS,
  ESO_DELETED_REASONS,
  ESO_ERROR_REASONS,
  ESO_SYNCED_REASONS,
  ZERO_TOUCH_CONNECTION_SECRET_KEYS,
} from './vocabulary';

/** The hops of a database, in the order credentials and state flow. @public */
export type StepId =
  | 'externalSecret'
  | 'credentialsSecret'
  | 'claim'
  | 'cluster'
  | 'connectionSecret';

/** Titles of the hops, for people. @public */
export const STEP_TITLES: Record<StepId, string> = {
  externalSecret: 'ExternalSecret',
  credentialsSecret: 'Credentials secret',
  claim: 'PostgresInstance claim',
  cluster: 'CNPG cluster',
  connectionSecret: 'Connection secret',
};

/** The state of one hop. @public */
export type StepStatus = 'ok' | 'pending' | 'error' | 'unknown';

/** The state of a database as a whole, from its hops. @public */
export type Verdict =
  | 'healthy'
  | 'progressing'
  | 'degraded'
  | 'failed'
  | 'unknown';

/** One hop's state. @public */
export interface Step {
  /** Which hop. */
  id: StepId;
  /** Its state. */
  status: StepStatus;
  /** A short machine word: the operator's reason where there is one. */
  reason: string;
  /** What is the case, in words. */
  message: string;
  /** What to do about it. */
  hint?: string;
}

/** A database's health: the verdict and why. @public */
export interface DatabaseHealth {
  /** The database as a whole. */
  verdict: Verdict;
  /** The hop that explains the verdict (absent when healthy). */
  failingStep?: StepId;
  /** Every hop, in flow order (that of {@link StepId}). */
  steps: Step[];
}

/**
 * What was read for one database. Secrets are already reduced to summaries.
 * `unreadable` names hops whose object could not be read (e.g. 403), with the cause.
 *
 * @public
 */
export interface DatabaseObjects {
  /** The `PostgresInstance` claim. */
  claim?: KubeObject;
  /** The CNPG Cluster made for it. */
  cluster?: KubeObject;
  /** The ExternalSecret that brings the credentials from SSM. */
  externalSecret?: KubeObject;
  /** The credentials secret the ExternalSecret writes (summary). */
  credentialsSecret?: SecretSummary;
  /** The application's connection secret (summary). */
  connectionSecret?: SecretSummary;
  /** Hops whose object could not be read, with the cause. */
  unreadable?: Partial<Record<StepId, string>>;
}

/** Options of {@link deriveDatabaseHealth}. @public */
export interface HealthOptions {
  /** The current time; with it, a CNPG cluster stuck in a progressing phase is reported. */
  now?: Date | number;
  /** How long a progressing phase may last before it is called stuck (default 15 minutes). */
  stuckAfterSeconds?: number;
}

type Severity = 'ok' | 'pending' | 'unknown' | 'degraded' | 'failed';

interface Finding {
  severity: Severity;
  reason: string;
  message: string;
  hint?: string;
}

const SEVERITY_RANK: Record<Severity, number> = {
  ok: 0,
  pending: 1,
  unknown: 2,
  degraded: 3,
  failed: 4,
};

const STATUS_OF: Record<Severity, StepStatus> = {
  ok: 'ok',
  pending: 'pending',
  unknown: 'unknown',
  degraded: 'error',
  failed: 'error',
};

const VERDICT_OF: Record<Severity, Verdict> = {
  ok: 'healthy',
  pending: 'progressing',
  unknown: 'unknown',
  degraded: 'degraded',
  failed: 'failed',
};

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

function conditionOf(
  obj: KubeObject | undefined,
  type: string,
): Condition | undefined {
  const conditions: unknown = obj?.status?.conditions;
  if (!Array.isArray(conditions)) return undefined;
  return conditions.find((c: Condition) => c && c.type === type);
}

function ref(
  kind: string,
  obj: KubeObject | undefined,
  fallbackName?: string,
): string {
  const name = obj?.metadata?.name ?? fallbackName ?? '?';
  const ns = obj?.metadata?.namespace;
  return ns ? `${kind} ${ns}/${name}` : `${kind} ${name}`;
}

/** The context every hop may consult. */
interface Context {
  objects: DatabaseObjects;
  claimName?: string;
  namespace?: string;
  /** True when the claim names a credentials secret (the SSM / ExternalSecret variant). */
  usesExternalSecret: boolean;
  credentialsSecretName?: string;
  connectionSecretName?: string;
  expectedOwner?: string;
  ownerSource?: string;
  /** SSM keys read by the ExternalSecret, by target key. */
  remoteKeys: Record<string, string>;
  options: HealthOptions;
}

function buildContext(
  objects: DatabaseObjects,
  options: HealthOptions,
): Context {
  const claim = objects.claim;
  const spec = claim?.spec ?? {};
  const claimName: string | undefined =
    claim?.metadata?.name ?? objects.cluster?.metadata?.name;
  const namespace: string | undefined =
    claim?.metadata?.namespace ?? objects.cluster?.metadata?.namespace;
  const names = claimName ? claimSecretNames(claimName, spec) : undefined;
  const usesExternalSecret =
    names?.usesExternalSecret ||
    (!claim && objects.externalSecret !== undefined);
  const initdb = objects.cluster?.spec?.bootstrap?.initdb;
  let expectedOwner: string | undefined;
  let ownerSource: string | undefined;
  if (typeof initdb?.owner === 'string') {
    expectedOwner = initdb.owner;
    ownerSource = 'the CNPG cluster’s bootstrap.initdb.owner';
  } else if (typeof spec.databaseOwner === 'string') {
    expectedOwner = spec.databaseOwner;
    ownerSource = 'the claim’s databaseOwner';
  }
  const remoteKeys: Record<string, string> = {};
  const data: unknown = objects.externalSecret?.spec?.data;
  if (Array.isArray(data)) {
    for (const d of data) {
      if (
        typeof d?.secretKey === 'string' &&
        typeof d?.remoteRef?.key === 'string'
      ) {
        remoteKeys[d.secretKey] = d.remoteRef.key;
      }
    }
  }
  return {
    objects,
    claimName,
    namespace,
    usesExternalSecret,
    credentialsSecretName:
      names?.usesExternalSecret || !usesExternalSecret
        ? names?.credentialsSecretName
        : objects.externalSecret?.spec?.target?.name ??
          objects.externalSecret?.metadata?.name,
    connectionSecretName: names?.connectionSecretName,
    expectedOwner,
    ownerSource,
    remoteKeys,
    options,
  };
}

function unreadable(ctx: Context, id: StepId): Finding | undefined {
  const cause = ctx.objects.unreadable?.[id];
  return cause === undefined
    ? undefined
    : {
        severity: 'unknown',
        reason: 'Unreadable',
        message: `Could not read the ${STEP_TITLES[id]}: ${cause}`,
        hint: 'Check that the portal can reach the cluster and may read this kind of object.',
      };
}

function externalSecretStep(ctx: Context): Finding {
  const blocked = unreadable(ctx, 'externalSecret');
  if (blocked) return blocked;
  const es = ctx.objects.externalSecret;
  if (!ctx.usesExternalSecret) {
    return {
      severity: 'ok',
      reason: 'NotUsed',
      message:
        'The claim names no credentials secret: CloudNative-PG generates the credentials, no ExternalSecret is involved.',
    };
  }
  const target = ctx.credentialsSecretName ?? '?';
  if (!es) {
    if (ctx.objects.credentialsSecret) {
      return {
        severity: 'ok',
        reason: 'ManagedElsewhere',
        message: `No ExternalSecret produces secret ${target}; the secret exists and is managed by other means.`,
      };
    }
    return {
      severity: 'failed',
      reason: 'NotFound',
      message: `No ExternalSecret produces the credentials secret ${target} in namespace ${
        ctx.namespace ?? '?'
      }.`,
      hint: 'Merge the pull request that adds the ExternalSecret (sync-wave 0) and check that Argo CD synced it. With External Secrets 0.17 or newer, the manifest must use external-secrets.io/v1.',
    };
  }
  const ready = conditionOf(es, 'Ready');
  const keys = Object.values(ctx.remoteKeys);
  const keyList = keys.length ? keys.join(' and ') : 'the parameters it names';
  const store = es.spec?.secretStoreRef;
  const storeText = store?.name
    ? `${store.kind ?? 'SecretStore'} '${store.name}'`
    : 'its secret store';
  if (!ready) {
    return {
      severity: 'pending',
      reason: 'NotReconciled',
      message: `${ref(
        'ExternalSecret',
        es,
      )} has not been reconciled by External Secrets yet.`,
      hint: `If this lasts more than a minute, check that External Secrets is running and serves ${
        es.apiVersion ?? 'this apiVersion'
      }.`,
    };
  }
  const reason = ready.reason ?? '';
  if (ready.status === 'True' && ESO_DELETED_REASONS.includes(reason)) {
    return {
      severity: 'failed',
      reason,
      message: `External Secrets deleted ${target}: ${
        ready.message ?? 'the source no longer exists'
      }.`,
      hint: `Write ${keyList} to SSM again; the secret is recreated at the next refresh.`,
    };
  }
  if (
    ready.status === 'True' &&
    (ESO_SYNCED_REASONS.includes(reason) || reason === '')
  ) {
    return {
      severity: 'ok',
      reason: reason || 'Ready',
      message: `${ready.message ?? 'Secret was synced'} from ${storeText}.`,
    };
  }
  if (ready.status === 'False') {
    return {
      severity:
        ESO_ERROR_REASONS.includes(reason) || reason === ''
          ? 'failed'
          : 'pending',
      reason: reason || 'NotReady',
      message: `${ref('ExternalSecret', es)}: ${ready.message ?? 'not ready'}.`,
      hint: `Check that ${keyList} exist in SSM and that ${storeText} may read them (ssm:GetParameter, and kms:Decrypt for SecureString). The ExternalSecret's events name the failing key.`,
    };
  }
  return {
    severity: 'unknown',
    reason: reason || 'Unknown',
    message: `${ref('ExternalSecret', es)} reports Ready=${
      ready.status ?? '?'
    }: ${ready.message ?? ''}`.trim(),
  };
}

function credentialsSecretStep(ctx: Context, upstreamOk: boolean): Finding {
  const blocked = unreadable(ctx, 'credentialsSecret');
  if (blocked) return blocked;
  const secret = ctx.objects.credentialsSecret;
  const name = ctx.credentialsSecretName ?? '?';
  if (!secret) {
    if (!ctx.usesExternalSecret) {
      return {
        severity: ctx.objects.cluster ? 'failed' : 'pending',
        reason: ctx.objects.cluster ? 'NotFound' : 'WaitingForCluster',
        message: ctx.objects.cluster
          ? `CloudNative-PG has not created the application secret ${name}.`
          : `The application secret ${name} is created with the CNPG cluster.`,
        hint: ctx.objects.cluster
          ? 'Check the CloudNative-PG operator logs for this cluster.'
          : undefined,
      };
    }
    return upstreamOk
      ? {
          severity: 'failed',
          reason: 'NotFound',
          message: `The ExternalSecret reports success but secret ${name} does not exist.`,
          hint: "Check the ExternalSecret's spec.target.name and its events; force a refresh by annotating it with force-sync.",
        }
      : {
          severity: 'pending',
          reason: 'WaitingForExternalSecret',
          message: `Secret ${name} does not exist yet: the ExternalSecret makes it.`,
        };
  }
  if (secret.type !== BASIC_AUTH_SECRET_TYPE) {
    return {
      severity: 'failed',
      reason: 'WrongType',
      message: `Secret ${secret.name} has type ${
        secret.type ?? 'Opaque'
      }; CloudNative-PG's initdb.secret must be ${BASIC_AUTH_SECRET_TYPE}.`,
      hint: `Set spec.target.template.type: ${BASIC_AUTH_SECRET_TYPE} in the ExternalSecret.`,
    };
  }
  const missing = CREDENTIALS_SECRET_KEYS.filter(k => !secret.keys.includes(k));
  if (missing.length) {
    return {
      severity: 'failed',
      reason: 'MissingKeys',
      message: `Secret ${secret.name} lacks the key${
        missing.length > 1 ? 's' : ''
      } ${missing.join(', ')}.`,
      hint: "Map the SSM parameters to the keys 'username' and 'password' in the ExternalSecret's spec.data.",
    };
  }
  if (
    ctx.expectedOwner !== undefined &&
    secret.username !== undefined &&
    secret.username !== ctx.expectedOwner
  ) {
    const userKey = ctx.remoteKeys.username;
    return {
      severity: 'failed',
      reason: 'OwnerMismatch',
      message: `The secret's username '${secret.username}' differs from the database owner '${ctx.expectedOwner}' (${ctx.ownerSource}). CloudNative-PG still reports the cluster healthy, but the application cannot log in.`,
      hint: `Make them equal: write '${ctx.expectedOwner}' to ${
        userKey ? `the SSM parameter ${userKey}` : "the secret's username"
      }, or set databaseOwner: ${
        secret.username
      } in the claim (which recreates the database owner only on a new cluster).`,
    };
  }
  return {
    severity: 'ok',
    reason: 'Present',
    message: `Secret ${
      secret.name
    } (${BASIC_AUTH_SECRET_TYPE}) has username and password${
      secret.username !== undefined
        ? `; username '${secret.username}' matches the owner`
        : ''
    }.`,
  };
}

function claimStep(ctx: Context): Finding {
  const blocked = unreadable(ctx, 'claim');
  if (blocked) return blocked;
  const claim = ctx.objects.claim;
  if (!claim) {
    return {
      severity: 'unknown',
      reason: 'NotFound',
      message: `The PostgresInstance ${ctx.namespace ?? '?'}/${
        ctx.claimName ?? '?'
      } was not found.`,
      hint: 'If the pull request was just opened, merge it and let Argo CD sync; otherwise check the bizmatters.io/postgres-instances annotation.',
    };
  }
  if (claim.metadata?.deletionTimestamp) {
    return {
      severity: 'pending',
      reason: 'Deleting',
      message: `${ref('PostgresInstance', claim)} is being deleted.`,
    };
  }
  const synced = conditionOf(claim, 'Synced');
  const ready = conditionOf(claim, 'Ready');
  if (synced?.status === 'False') {
    return {
      severity: synced.reason === 'ReconcilePaused' ? 'degraded' : 'failed',
      reason: synced.reason ?? 'NotSynced',
      message: `Crossplane cannot reconcile the claim: ${
        synced.message ?? synced.reason ?? 'Synced=False'
      }.`,
      hint:
        synced.reason === 'ReconcilePaused'
          ? 'Remove the crossplane.io/paused annotation to resume.'
          : 'Check that the XRD xpostgresinstances.database.bizmatters.io and the Composition postgres-instance are installed, and read the claim’s events.',
    };
  }
  if (!ready) {
    return {
      severity: 'pending',
      reason: 'NotReconciled',
      message: `${ref('PostgresInstance', claim)} has no Ready condition yet.`,
      hint: 'If this lasts, check that Crossplane runs and the XRD xpostgresinstances.database.bizmatters.io is Established.',
    };
  }
  if (ready.status === 'True') {
    return {
      severity: 'ok',
      reason: ready.reason ?? 'Available',
      message:
        'Crossplane reports the claim Ready (this alone does not mean the database is up).',
    };
  }
  return {
    severity: 'pending',
    reason: ready.reason ?? 'NotReady',
    message: ready.message ?? 'The claim is not ready yet.',
    hint: 'The claim becomes Ready when every composed resource is; the hop that is not ready says why.',
  };
}

function ageSeconds(
  ctx: Context,
  since: string | undefined,
): number | undefined {
  if (ctx.options.now === undefined || !since) return undefined;
  const t = Date.parse(since);
  if (Number.isNaN(t)) return undefined;
  const now =
    typeof ctx.options.now === 'number'
      ? ctx.options.now
      : ctx.options.now.getTime();
  return Math.max(0, (now - t) / 1000);
}

function formatDuration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} days`;
}

function clusterStep(ctx: Context, claimOk: boolean): Finding {
  const blocked = unreadable(ctx, 'cluster');
  if (blocked) return blocked;
  const cluster = ctx.objects.cluster;
  if (!cluster) {
    return claimOk
      ? {
          severity: 'failed',
          reason: 'NotFound',
          message: `The claim is Ready but no CNPG Cluster ${
            ctx.namespace ?? '?'
          }/${ctx.claimName ?? '?'} exists.`,
          hint: `Check the composed objects (kubectl get objects -l crossplane.io/claim-name=${
            ctx.claimName ?? '<claim>'
          }) and that CloudNative-PG is installed.`,
        }
      : {
          severity: 'pending',
          reason: 'NotCreated',
          message: 'Crossplane has not created the CNPG Cluster yet.',
        };
  }
  const status = cluster.status ?? {};
  const phase: string = typeof status.phase === 'string' ? status.phase : '';
  const instances: number | undefined =
    status.instances ?? cluster.spec?.instances;
  const readyInstances: number = status.readyInstances ?? 0;
  const detail = status.phaseReason ? ` (${status.phaseReason})` : '';
  const inspect = `kubectl cnpg status ${cluster.metadata?.name ?? ''} -n ${
    cluster.metadata?.namespace ?? ''
  }`;

  if (phase === CNPG_HEALTHY_PHASE) {
    if (instances !== undefined && readyInstances < instances) {
      return {
        severity: 'degraded',
        reason: 'InstancesNotReady',
        message: `${readyInstances} of ${instances} instances are ready.`,
        hint: `The database answers, with less redundancy. Look at the pods that are not ready: ${inspect}.`,
      };
    }
    const ready = conditionOf(cluster, 'Ready');
    if (ready && ready.status !== 'True') {
      return {
        severity: 'pending',
        reason: ready.reason ?? 'ClusterIsNotReady',
        message: `Phase is '${phase}' but the Ready condition is ${ready.status}.`,
      };
    }
    return {
      severity: 'ok',
      reason: 'ClusterInHealthyState',
      message: `${CNPG_HEALTHY_PHASE}: ${readyInstances}/${
        instances ?? readyInstances
      } instances ready${
        status.currentPrimary ? `, primary ${status.currentPrimary}` : ''
      }.`,
    };
  }
  if (CNPG_FAILED_PHASES.includes(phase)) {
    return {
      severity: 'failed',
      reason: 'ClusterFailed',
      message: `${phase}${detail}.`,
      hint: `CloudNative-PG cannot fix this by itself. Inspect with ${inspect} and the operator logs.`,
    };
  }
  if (CNPG_ATTENTION_PHASES.includes(phase)) {
    return {
      severity: 'degraded',
      reason: 'WaitingForUserAction',
      message: `${phase}${detail}.`,
      hint: `CloudNative-PG waits for a person; see ${inspect}.`,
    };
  }
  if (CNPG_PROGRESSING_PHASES.includes(phase)) {
    const since =
      conditionOf(cluster, 'Ready')?.lastTransitionTime ??
      cluster.metadata?.creationTimestamp;
    const age = ageSeconds(ctx, since);
    const limit = ctx.options.stuckAfterSeconds ?? 900;
    const setupHint =
      phase === 'Setting up primary'
        ? `Look at the first instance's PVC (is its StorageClass available?) and the initdb pod (kubectl get pods -n ${
            cluster.metadata?.namespace ?? ''
          } -l cnpg.io/cluster=${
            cluster.metadata?.name ?? ''
          }): a missing credentials secret shows there as CreateContainerConfigError.`
        : `See ${inspect}.`;
    if (age !== undefined && age > limit) {
      return {
        severity: readyInstances > 0 ? 'degraded' : 'failed',
        reason: 'Stuck',
        message: `'${phase}'${detail} for ${formatDuration(age)}.`,
        hint: setupHint,
      };
    }
    return {
      severity: 'pending',
      reason: 'Progressing',
      message: `${phase}${detail}.`,
      hint: setupHint,
    };
  }
  return {
    severity: 'unknown',
    reason: phase ? 'UnknownPhase' : 'NoPhase',
    message: phase
      ? `CloudNative-PG reports the phase '${phase}', which this portal does not know.`
      : 'CloudNative-PG has not reported a phase yet.',
    hint: `See ${inspect}.`,
  };
}

function connectionSecretStep(ctx: Context, upstreamOk: boolean): Finding {
  const blocked = unreadable(ctx, 'connectionSecret');
  if (blocked) return blocked;
  const secret = ctx.objects.connectionSecret;
  const name = ctx.connectionSecretName ?? '?';
  const expected = ctx.usesExternalSecret
    ? CONNECTION_SECRET_KEYS
    : ZERO_TOUCH_CONNECTION_SECRET_KEYS;
  if (!secret) {
    return upstreamOk
      ? {
          severity: 'failed',
          reason: 'NotFound',
          message: `Everything upstream is ready but the connection secret ${name} does not exist.`,
          hint: `Check the claim's composed Object 'connection-secret' (kubectl get objects -l crossplane.io/claim-name=${
            ctx.claimName ?? '<claim>'
          }) for a Synced=False message.`,
        }
      : {
          severity: 'pending',
          reason: 'WaitingForUpstream',
          message: `The connection secret ${name} is written once the hops before it are ready.`,
        };
  }
  const missing = expected.filter(k => !secret.keys.includes(k));
  if (missing.length) {
    return {
      severity: 'failed',
      reason: 'MissingKeys',
      message: `The connection secret ${secret.name} lacks ${missing.join(
        ', ',
      )}; applications read ${expected.join(', ')}.`,
      hint: 'The Composition writes these keys; check the connection-secret Object and the Composition revision in use.',
    };
  }
  if (
    ctx.expectedOwner !== undefined &&
    secret.username !== undefined &&
    secret.username !== ctx.expectedOwner
  ) {
    return {
      severity: 'failed',
      reason: 'UsernameMismatch',
      message: `The connection secret hands applications the username '${secret.username}', but the database owner is '${ctx.expectedOwner}'.`,
      hint: 'Fix the credentials (see the credentials secret); Crossplane copies them into this secret.',
    };
  }
  return {
    severity: 'ok',
    reason: 'Present',
    message: `Secret ${secret.name} has ${expected.join(', ')}.`,
  };
}

/**
 * The health of one database from what was read of it: a verdict and one step per hop
 * (ExternalSecret → credentials secret → claim → CNPG cluster → connection secret).
 *
 * Sees through the traps: a claim Ready while CNPG is still setting up; CNPG healthy while the
 * secret's username differs from the owner; a credentials secret that is not basic-auth or
 * lacks a key; a connection secret without its five keys; fewer ready instances than instances.
 *
 * The verdict is that of the most serious step; `failingStep` is the first step (in flow order)
 * with that seriousness, i.e. the furthest-upstream cause.
 *
 * @public
 */
export function deriveDatabaseHealth(
  objects: DatabaseObjects,
  options: HealthOptions = {},
): DatabaseHealth {
  const ctx = buildContext(objects, options);
  const findings: Array<[StepId, Finding]> = [];
  const es = externalSecretStep(ctx);
  findings.push(['externalSecret', es]);
  const creds = credentialsSecretStep(ctx, es.severity === 'ok');
  findings.push(['credentialsSecret', creds]);
  const claim = claimStep(ctx);
  findings.push(['claim', claim]);
  const cluster = clusterStep(ctx, claim.severity === 'ok');
  findings.push(['cluster', cluster]);
  const upstreamOk = findings.every(([, f]) => f.severity === 'ok');
  findings.push(['connectionSecret', connectionSecretStep(ctx, upstreamOk)]);

  let worst: Severity = 'ok';
  let failingStep: StepId | undefined;
  for (const [id, f] of findings) {
    if (SEVERITY_RANK[f.severity] > SEVERITY_RANK[worst]) {
      worst = f.severity;
      failingStep = id;
    }
  }
  const steps = findings.map(([id, f]) => {
    const step: Step = {
      id,
      status: STATUS_OF[f.severity],
      reason: f.reason,
      message: f.message,
    };
    if (f.hint) step.hint = f.hint;
    return step;
  });
  const health: DatabaseHealth = { verdict: VERDICT_OF[worst], steps };
  if (failingStep) health.failingStep = failingStep;
  return health;
}
