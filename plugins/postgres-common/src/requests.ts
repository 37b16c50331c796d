import type { Verdict } from './health/types';

/**
 * Where a database request's pull request is, as the forge says: `merged` when it has a
 * `merged_at`, `closed` when it was closed without one.
 *
 * @public
 */
export type PullRequestState = 'open' | 'merged' | 'closed';

/**
 * Where a database is in its life, as one record: `requested` (pull request open), `merged`
 * (waiting for Argo CD: no claim yet), `provisioning` (the claim is in a cluster, not yet
 * healthy), `healthy` (it has been healthy), `changing` (a day-2 change request is open),
 * `decommissioning` (a decommission request is open, or merged while the claim is still in
 * a cluster), `decommissioned` (gone from every cluster after it was there), `abandoned`
 * (its creation's pull request closed without merge).
 *
 * @public
 */
export type RequestPhase =
  | 'requested'
  | 'merged'
  | 'provisioning'
  | 'healthy'
  | 'changing'
  | 'decommissioning'
  | 'decommissioned'
  | 'abandoned';

/**
 * A day-2 request of a database (a change or its decommission) as its record lists it.
 *
 * @public
 */
export interface DatabaseChangeRequest {
  /** Its id in the postgres backend. */
  id: string;
  /** A change (storage, size, version) or the decommission. */
  operation: 'change' | 'decommission';
  /** What it changes (its pull request's title). */
  title?: string;
  /** Its GitOps pull request. */
  pullRequest: { number: number; url: string; state: PullRequestState };
  /** Who made it: a user entity ref. */
  requestedBy: string;
  /** When it was made (ISO 8601). */
  requestedAt: string;
  /** When its pull request was merged. */
  mergedAt?: string;
  /** When it was closed without merge. */
  closedAt?: string;
}

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
  /** When the portal first saw the database gone from every cluster (decommissioned). */
  decommissionedAt?: string;
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
  /**
   * What the record's first request did: `create` (made by the portal), or `change` /
   * `decommission` for a database made before requests were tracked. Absent from older backends.
   */
  operation?: RequestOperation;
  /** The database's day-2 requests, oldest first (open, merged, closed without merge). */
  changes?: DatabaseChangeRequest[];
  /** Who decommissioned it (the decommission request's author), once it is gone. */
  decommissionedBy?: string;
  /** Something to know about the record, in a user's words (e.g. a decommission closed unmerged). */
  note?: string;
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
  /** The creation's pull request; undefined for a record started by a change. */
  pullRequest?: PullRequestState;
  claimPresent: boolean;
  verdict?: Verdict;
  healthyAt?: string;
  /** When the database was first seen gone after it was there. */
  goneAt?: string;
  /** Its day-2 requests. */
  changes?: Array<{
    operation: 'change' | 'decommission';
    pullRequest: PullRequestState;
  }>;
}): RequestPhase {
  if (input.goneAt) return 'decommissioned';
  const changes = input.changes ?? [];
  if (
    changes.some(
      c => c.operation === 'decommission' && c.pullRequest !== 'closed',
    )
  ) {
    return 'decommissioning';
  }
  if (changes.some(c => c.pullRequest === 'open')) return 'changing';
  if (input.healthyAt) return 'healthy';
  if (input.pullRequest === undefined) {
    return input.verdict === 'healthy' || !input.claimPresent
      ? 'healthy'
      : 'provisioning';
  }
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
  changing: 'Change requested',
  decommissioning: 'Decommissioning',
  decommissioned: 'Decommissioned',
  abandoned: 'Abandoned',
};

/**
 * Whether a record may be dismissed from the lists: one whose creation's pull request was
 * closed without merge, or a decommissioned database (the others are databases).
 *
 * @public
 */
export function isDismissable(phase: RequestPhase): boolean {
  return phase === 'abandoned' || phase === 'decommissioned';
}

/**
 * Whether a decommissioned record is still listed at `now`: for `keepDays` after it was seen
 * gone (then it leaves the lists; dismissing it does so earlier).
 *
 * @public
 */
export function isRecordListed(
  record: { decommissionedAt?: string },
  keepDays: number,
  now: number = Date.now(),
): boolean {
  if (!record.decommissionedAt) return true;
  const at = Date.parse(record.decommissionedAt);
  return !Number.isFinite(at) || now - at < keepDays * 86_400_000;
}

/**
 * What a record says besides its phase: a decommission closed without merge leaves the
 * database as it was.
 *
 * @public
 */
export function recordNote(
  changes: Array<Pick<DatabaseChangeRequest, 'operation' | 'pullRequest'>>,
): string | undefined {
  const last = changes[changes.length - 1];
  if (
    last?.operation === 'decommission' &&
    last.pullRequest.state === 'closed'
  ) {
    return `The decommission request #${last.pullRequest.number} was closed without merge: the database stays as it was.`;
  }
  return undefined;
}

/**
 * What a registered pull request does to its database: `create` it (the creation template),
 * `change` it (a day-2 change: storage, size, version) or `decommission` it.
 *
 * @public
 */
export type RequestOperation = 'create' | 'change' | 'decommission';

/**
 * The branch a new database's pull request is pushed to (the creation template's
 * `branchName`).
 *
 * @public
 */
export function creationBranchName(namespace: string, name: string): string {
  return `postgres/${namespace}/${name}`;
}

/**
 * The prefix of every change request's branch of one database (the change action's
 * `branchName`: the prefix, then the operation and the task).
 *
 * @public
 */
export function changeBranchPrefix(namespace: string, name: string): string {
  return `postgres-change/${namespace}/${name}/`;
}

/**
 * A file a pull request adds, edits or deletes, as the forge lists it (`status`: `added`,
 * `modified`, `removed`, …), with the claim it holds (at the pull request's head; for a
 * removed file, before it) when it holds a `PostgresInstance`.
 *
 * @public
 */
export interface PullRequestFile {
  /** Its path in the repository. */
  filename: string;
  /** What the pull request does to it, as the forge says. */
  status: string;
  /** The claim it holds, when it holds one. */
  claim?: { namespace: string; name: string; entityRef?: string };
}

/**
 * Whether a pull request is the request of `entityRef` for the database `namespace/name`,
 * and what it does: its head must be that database's branch ({@link creationBranchName} for
 * a creation, under {@link changeBranchPrefix} for a change or decommission), and its files
 * must add (creation), edit (change) or delete (decommission) that database's claim, which
 * names `entityRef` (annotation `bizmatters.io/entity-ref`). Otherwise the reason it is
 * refused, in a user's words.
 *
 * @public
 */
export function bindPullRequest(input: {
  entityRef: string;
  namespace: string;
  name: string;
  headRef: string;
  files: PullRequestFile[];
}):
  | { operation: RequestOperation; refused?: undefined }
  | { refused: string; operation?: undefined } {
  const { namespace, name, headRef } = input;
  const entityRef = input.entityRef.toLocaleLowerCase('en-US');
  const creation = creationBranchName(namespace, name);
  const change = changeBranchPrefix(namespace, name);
  let wanted: string[];
  if (headRef === creation) wanted = ['added'];
  else if (headRef.startsWith(change) && headRef.length > change.length) {
    wanted = ['modified', 'removed'];
  } else {
    return {
      refused: `its branch ${headRef} is not the branch of ${namespace}/${name} (${creation}, or ${change}… for a change)`,
    };
  }
  const claims = input.files.filter(
    f =>
      wanted.includes(f.status) &&
      f.claim?.namespace === namespace &&
      f.claim.name === name,
  );
  if (!claims.length) {
    return {
      refused: `it does not ${
        wanted[0] === 'added' ? 'add' : 'edit or delete'
      } the claim of ${namespace}/${name}`,
    };
  }
  const foreign = claims.find(
    f => f.claim?.entityRef?.toLocaleLowerCase('en-US') !== entityRef,
  );
  if (foreign) {
    return {
      refused: `the claim of ${namespace}/${name} in ${
        foreign.filename
      } names ${foreign.claim?.entityRef ?? 'no entity'}, not ${entityRef}`,
    };
  }
  if (wanted[0] === 'added') return { operation: 'create' };
  return {
    operation: claims.some(f => f.status === 'removed')
      ? 'decommission'
      : 'change',
  };
}

/**
 * The open change requests of one database (`GET /v1/entities/…/open-changes`): the open pull
 * requests whose head is one of its change branches. The change action refuses a second one.
 *
 * @public
 */
export interface OpenChangesResponse {
  /** Each open change request: its number, link and title. */
  items: Array<{ number: number; url: string; title: string }>;
}

/**
 * What the change form says when a database already has an open change request (the change
 * action's refusal, said before "Next").
 *
 * @public
 */
export function openChangeProblem(
  namespace: string,
  name: string,
  open: OpenChangesResponse['items'],
): string | undefined {
  if (!open.length) return undefined;
  return `${namespace}/${name} already has an open change request: ${open
    .map(p => `#${p.number} ${p.url}`)
    .join(', ')}. Merge or close it first; a second one would be refused.`;
}
