import type { KubeObject } from '../manifests';
import type { SecretSummary } from '../secrets';

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
  /**
   * The current time; with it, a state that should pass (a phase in progress, a failover, an
   * object no operator has reported on) is reported stuck once it lasts too long.
   */
  now?: Date | number;
  /** How long such a state may last before it is called stuck (default 15 minutes). */
  stuckAfterSeconds?: number;
}

/** How serious a hop's state is; ranked, the worst one makes the verdict. */
export type Severity = 'ok' | 'pending' | 'unknown' | 'degraded' | 'failed';

/** What a hop evaluator returns. */
export interface Finding {
  severity: Severity;
  reason: string;
  message: string;
  hint?: string;
}

// Typed views of exactly the fields the evaluators read. What was read is untrusted JSON, so
// every field is optional and every read checks its type (see context.ts).

/** A condition as Kubernetes, CNPG, ESO and Crossplane write them. */
export interface ConditionView {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  /** metav1.Condition and crossplane-runtime ≥ 1.16 conditions; optional in both. */
  observedGeneration?: number;
}

/** The metadata fields read. */
export interface MetadataView {
  name?: string;
  namespace?: string;
  generation?: number;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  deletionTimestamp?: string;
}

/** CNPG `postgresql.cnpg.io/v1` Cluster: the fields read. */
export interface ClusterView {
  metadata?: MetadataView;
  spec?: {
    instances?: number;
    bootstrap?: { initdb?: { owner?: string } };
  };
  status?: {
    phase?: string;
    phaseReason?: string;
    instances?: number;
    readyInstances?: number;
    currentPrimary?: string;
    targetPrimary?: string;
    currentPrimaryFailingSinceTimestamp?: string;
    targetPrimaryTimestamp?: string;
    conditions?: ConditionView[];
  };
}

/** ESO ExternalSecret (`v1beta1` and `v1` read alike): the fields read. */
export interface ExternalSecretView {
  apiVersion?: string;
  metadata?: MetadataView;
  spec?: {
    refreshPolicy?: string;
    refreshInterval?: string;
    secretStoreRef?: { name?: string; kind?: string };
    target?: { name?: string };
    data?: Array<{ secretKey?: string; remoteRef?: { key?: string } }>;
  };
  status?: {
    refreshTime?: string | null;
    syncedResourceVersion?: string;
    conditions?: ConditionView[];
  };
}

/** The Crossplane `PostgresInstance` claim: the fields read. */
export interface ClaimView {
  metadata?: MetadataView;
  spec?: {
    databaseOwner?: string;
    credentialsSecretName?: string;
    connectionSecretName?: string;
    resourceRef?: { apiVersion?: string; kind?: string; name?: string };
  };
  status?: { conditions?: ConditionView[] };
}
