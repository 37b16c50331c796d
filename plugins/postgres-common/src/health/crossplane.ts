/**
 * Crossplane's vocabulary: the claim's condition reasons, and the keys of the connection secret
 * the platform's Composition writes.
 */
import type { StateId } from './states';

/** Crossplane claim condition reasons (crossplane-runtime apis/common/v1/condition.go v1.16.0). */
export const CROSSPLANE_REASONS = {
  synced: {
    ReconcileSuccess: 'ok',
    ReconcileError: 'claimReconcileError',
    ReconcilePaused: 'claimPaused',
  },
  readyFalse: {
    Waiting: 'claimWaiting',
    Creating: 'claimWaiting',
    Unavailable: 'claimUnavailable',
    Deleting: 'claimDeleting',
  },
  readyTrue: { Available: 'claimAvailable' },
} as const satisfies Record<string, Record<string, StateId | 'ok'>>;

/** The keys of the connection secret the platform's Composition writes. */
export const CONNECTION_SECRET_KEYS: readonly string[] = [
  'endpoint',
  'port',
  'database',
  'username',
  'password',
];

/** The keys of the zero-touch variant's `<claim>-conn` secret. */
export const ZERO_TOUCH_CONNECTION_SECRET_KEYS: readonly string[] = [
  'POSTGRES_HOST',
  'POSTGRES_PORT',
  'POSTGRES_DB',
  'POSTGRES_USER',
  'POSTGRES_PASSWORD',
];
