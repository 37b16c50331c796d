import { claimSecretNames } from '../request';
import { finding, HintValues } from './states';
import type {
  ClaimView,
  ClusterView,
  ConditionView,
  DatabaseObjects,
  ExternalSecretView,
  Finding,
  HealthOptions,
  MetadataView,
  StepId,
} from './types';
import { STEP_TITLES } from './types';

/** A string field, or undefined when it is anything else. */
export const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : undefined;

/** A non-empty string field, or undefined when it is anything else (or empty). */
export const nonEmptyStr = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : undefined;

/** A finite number field, or undefined when it is anything else. */
export const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

/** The condition of a type, if the object has well-formed conditions. */
export function conditionOf(
  status: { conditions?: ConditionView[] } | undefined,
  type: string,
): ConditionView | undefined {
  const conditions: unknown = status?.conditions;
  if (!Array.isArray(conditions)) return undefined;
  const found = conditions.find(
    (c: unknown) =>
      !!c && typeof c === 'object' && (c as ConditionView).type === type,
  );
  return found as ConditionView | undefined;
}

/** "Kind namespace/name" for messages. */
export function ref(
  kind: string,
  metadata: MetadataView | undefined,
  fallbackName?: string,
): string {
  const name = str(metadata?.name) ?? fallbackName ?? '?';
  const ns = str(metadata?.namespace);
  return ns ? `${kind} ${ns}/${name}` : `${kind} ${name}`;
}

/** The annotation's value, if it is a string. */
export function annotation(
  metadata: MetadataView | undefined,
  key: string,
): string | undefined {
  const annotations: unknown = metadata?.annotations;
  return annotations && typeof annotations === 'object'
    ? str((annotations as Record<string, unknown>)[key])
    : undefined;
}

/** The context every hop may consult. */
export interface Context {
  objects: DatabaseObjects;
  claim?: ClaimView;
  cluster?: ClusterView;
  externalSecret?: ExternalSecretView;
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

export function buildContext(
  objects: DatabaseObjects,
  options: HealthOptions,
): Context {
  const claim = objects.claim as ClaimView | undefined;
  const cluster = objects.cluster as ClusterView | undefined;
  const externalSecret = objects.externalSecret as
    | ExternalSecretView
    | undefined;
  const spec = claim?.spec ?? {};
  const claimName =
    str(claim?.metadata?.name) ?? str(cluster?.metadata?.name) ?? undefined;
  const namespace =
    str(claim?.metadata?.namespace) ?? str(cluster?.metadata?.namespace);
  const names = claimName ? claimSecretNames(claimName, spec) : undefined;
  const usesExternalSecret =
    names?.usesExternalSecret || (!claim && externalSecret !== undefined);
  const initdbOwner = str(cluster?.spec?.bootstrap?.initdb?.owner);
  let expectedOwner: string | undefined;
  let ownerSource: string | undefined;
  if (initdbOwner !== undefined) {
    expectedOwner = initdbOwner;
    ownerSource = 'the CNPG cluster’s bootstrap.initdb.owner';
  } else if (str(spec.databaseOwner) !== undefined) {
    expectedOwner = spec.databaseOwner;
    ownerSource = 'the claim’s databaseOwner';
  }
  const remoteKeys: Record<string, string> = {};
  const data: unknown = externalSecret?.spec?.data;
  if (Array.isArray(data)) {
    for (const d of data) {
      const secretKey = str(d?.secretKey);
      const key = str(d?.remoteRef?.key);
      if (secretKey !== undefined && key !== undefined) {
        remoteKeys[secretKey] = key;
      }
    }
  }
  return {
    objects,
    claim,
    cluster,
    externalSecret,
    claimName,
    namespace,
    usesExternalSecret,
    credentialsSecretName:
      names?.usesExternalSecret || !usesExternalSecret
        ? names?.credentialsSecretName
        : str(externalSecret?.spec?.target?.name) ??
          str(externalSecret?.metadata?.name),
    connectionSecretName: names?.connectionSecretName,
    expectedOwner,
    ownerSource,
    remoteKeys,
    options,
  };
}

/** A hop whose object could not be read. */
export function unreadable(ctx: Context, id: StepId): Finding | undefined {
  const cause = ctx.objects.unreadable?.[id];
  return cause === undefined
    ? undefined
    : finding('unreadable', `Could not read the ${STEP_TITLES[id]}: ${cause}`);
}

/** Seconds since a timestamp, when the current time is known. */
export function ageSeconds(
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

/** True when a state that began at `since` has lasted past `stuckAfterSeconds`. */
export function stuckFor(
  ctx: Context,
  since: string | undefined,
): number | undefined {
  const age = ageSeconds(ctx, since);
  const limit = ctx.options.stuckAfterSeconds ?? 900;
  return age !== undefined && age > limit ? age : undefined;
}

export function formatDuration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} days`;
}

/**
 * The latest change of an object that the controller has not acted on: `metadata.generation`
 * ahead of `observed` (where the kind reports one).
 */
export function generationAhead(
  metadata: MetadataView | undefined,
  observed: number | undefined,
): { generation: number; observed: number } | undefined {
  const generation = num(metadata?.generation);
  return generation !== undefined &&
    observed !== undefined &&
    generation > observed
    ? { generation, observed }
    : undefined;
}

/** Values for the hints of a hop (names the reader can paste into kubectl). */
export function hintValues(ctx: Context, extra: HintValues = {}): HintValues {
  return {
    claim: ctx.claimName,
    namespace: ctx.namespace,
    ...extra,
  };
}

/** The "being deleted" finding of an object whose deletionTimestamp is set. */
export function deleting(
  state: 'esDeleting' | 'claimDeleting' | 'clusterDeleting',
  kind: string,
  metadata: MetadataView | undefined,
  values: HintValues,
): Finding | undefined {
  const since = str(metadata?.deletionTimestamp);
  return since
    ? finding(
        state,
        `${ref(kind, metadata)} is being deleted (since ${since}).`,
        values,
      )
    : undefined;
}

/** The raw text of a condition, for an `unknown` step. */
export function rawCondition(c: ConditionView): string {
  const parts = [`${str(c.type) ?? '?'}=${str(c.status) ?? '?'}`];
  if (str(c.reason)) parts.push(`reason ${c.reason}`);
  if (str(c.message)) parts.push(`message '${c.message}'`);
  return parts.join(', ');
}
