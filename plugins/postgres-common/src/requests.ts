import type { Verdict } from './health/types';

/**
 * Where a database request's pull request is, as the forge says: `merged` when it has a
 * `merged_at`, `closed` when it was closed without one.
 *
 * @public
 */
export type PullRequestState = 'open' | 'merged' | 'closed';

/**
 * Where a database request is, from the moment it is made until its database is healthy:
 * `requested` (pull request open), `merged` (waiting for Argo CD: no claim yet),
 * `provisioning` (the claim is in a cluster, not yet healthy), `healthy` (it has been healthy),
 * `abandoned` (pull request closed without merge).
 *
 * @public
 */
export type RequestPhase =
  | 'requested'
  | 'merged'
  | 'provisioning'
  | 'healthy'
  | 'abandoned';

/** When each transition of a request was seen (ISO 8601). @public */
export interface RequestTimeline {
  /** When the request was made (the pull request was opened). */
  requestedAt: string;
  /** When the pull request was merged. */
  mergedAt?: string;
  /** When the pull request was closed without merge. */
  closedAt?: string;
  /** When the portal first saw the claim in a cluster. */
  claimSeenAt?: string;
  /** When the portal first saw the database healthy. */
  healthyAt?: string;
}

/**
 * A database request as the health API returns it. Never holds a password or any secret: the
 * database's namespace and name, its pull request, who asked and when things happened.
 *
 * @public
 */
export interface DatabaseRequestStatus {
  /** The request's id (to dismiss an abandoned one). */
  id: string;
  /** The claim's namespace. */
  namespace: string;
  /** The claim's name. */
  name: string;
  /** The entity the database was requested for (normalized ref); absent from older backends. */
  entityRef?: string;
  /** The GitOps pull request that carries it. */
  pullRequest: { number: number; url: string; state: PullRequestState };
  /** Who made the request: a user entity ref. */
  requestedBy: string;
  /** Where it is. */
  phase: RequestPhase;
  /** When each transition was seen. */
  timeline: RequestTimeline;
  /** Seconds from the request to the database first seen healthy, once it was. */
  timeToHealthySeconds?: number;
}

/**
 * The state of a pull request from GitHub's answer (`GET /repos/{o}/{r}/pulls/{n}` or an entry
 * of the pulls list): a list entry has no `merged`, so `merged_at` decides.
 *
 * @public
 */
export function pullRequestState(pr: {
  state: string;
  merged_at?: string | null;
  merged?: boolean;
}): PullRequestState {
  if (pr.merged_at || pr.merged) return 'merged';
  return pr.state === 'closed' ? 'closed' : 'open';
}

/**
 * The phase of a request from its pull request, whether its claim is in a cluster now, the
 * database's verdict now, and whether it was ever seen healthy. A claim in a cluster wins over
 * the pull request (it was merged, whatever the forge said last); a database once healthy
 * stays `healthy` as a request (its five hops tell how it is now).
 *
 * @public
 */
export function deriveRequestPhase(input: {
  pullRequest: PullRequestState;
  claimPresent: boolean;
  verdict?: Verdict;
  healthyAt?: string;
}): RequestPhase {
  if (input.healthyAt) return 'healthy';
  if (input.claimPresent) {
    return input.verdict === 'healthy' ? 'healthy' : 'provisioning';
  }
  if (input.pullRequest === 'merged') return 'merged';
  if (input.pullRequest === 'closed') return 'abandoned';
  return 'requested';
}

/**
 * Seconds from the request to the database first seen healthy; undefined until then (or when
 * a time is not a date).
 *
 * @public
 */
export function timeToHealthySeconds(
  timeline: Pick<RequestTimeline, 'requestedAt' | 'healthyAt'>,
): number | undefined {
  if (!timeline.healthyAt) return undefined;
  const ms = Date.parse(timeline.healthyAt) - Date.parse(timeline.requestedAt);
  return Number.isFinite(ms) ? Math.max(0, Math.round(ms / 1000)) : undefined;
}

/**
 * A duration for people: `45 s`, `3 min 20 s`, `2 h 5 min`, `1 d 3 h`.
 *
 * @public
 */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) {
    const rest = s % 60;
    return `${Math.floor(s / 60)} min${rest ? ` ${rest} s` : ''}`;
  }
  if (s < 86400) {
    const rest = Math.floor((s % 3600) / 60);
    return `${Math.floor(s / 3600)} h${rest ? ` ${rest} min` : ''}`;
  }
  const rest = Math.floor((s % 86400) / 3600);
  return `${Math.floor(s / 86400)} d${rest ? ` ${rest} h` : ''}`;
}

/** What a request's phase is called on the page. @public */
export const REQUEST_PHASE_TITLES: Record<RequestPhase, string> = {
  requested: 'Requested',
  merged: 'Merged — waiting for Argo CD',
  provisioning: 'Provisioning',
  healthy: 'Healthy',
  abandoned: 'Abandoned',
};

/**
 * Whether a request may be dismissed: only one whose pull request was closed without merge
 * (the others end as a database).
 *
 * @public
 */
export function isDismissable(phase: RequestPhase): boolean {
  return phase === 'abandoned';
}
