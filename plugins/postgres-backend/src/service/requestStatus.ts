import { InputError } from '@backstage/errors';
import {
  DatabaseChangeRequest,
  DatabaseItem,
  DatabaseRequestStatus,
  deriveRequestPhase,
  isLabelValue,
  recordNote,
  timeToHealthySeconds,
} from '@bizmatters/plugin-postgres-common';
import { RequestRecord } from './RequestStore';

/** A database request's status as answered, from its stored records. */

/** One database's record: the request that started it, and its day-2 requests. */
export interface LifeRecord {
  root: RequestRecord;
  changes: RequestRecord[];
}

/** The rows of records grouped by record, oldest record first. */
export function groupRecords(rows: RequestRecord[]): LifeRecord[] {
  const byId = new Map<string, RequestRecord[]>();
  for (const row of rows) {
    const list = byId.get(row.recordId) ?? [];
    list.push(row);
    byId.set(row.recordId, list);
  }
  return [...byId.entries()].map(([recordId, list]) => {
    const root = list.find(r => r.id === recordId) ?? list[0];
    return { root, changes: list.filter(r => r !== root) };
  });
}

function changeOf(row: RequestRecord): DatabaseChangeRequest {
  return {
    id: row.id,
    operation: row.operation === 'decommission' ? 'decommission' : 'change',
    ...(row.title ? { title: row.title } : {}),
    pullRequest: row.pullRequest,
    requestedBy: row.requestedBy,
    requestedAt: row.requestedAt,
    ...(row.mergedAt ? { mergedAt: row.mergedAt } : {}),
    ...(row.closedAt ? { closedAt: row.closedAt } : {}),
  };
}

export function statusOf(
  { root, changes: changeRows }: LifeRecord,
  item?: DatabaseItem,
): DatabaseRequestStatus {
  const timeline = {
    requestedAt: root.requestedAt,
    mergedAt: root.operation === 'create' ? root.mergedAt : undefined,
    closedAt: root.operation === 'create' ? root.closedAt : undefined,
    claimSeenAt: root.claimSeenAt,
    healthyAt: root.healthyAt,
    ...(root.goneAt ? { decommissionedAt: root.goneAt } : {}),
  };
  // a record started by a change (a database made before requests were tracked) lists that
  // change too
  const changes = (
    root.operation === 'create' ? changeRows : [root, ...changeRows]
  ).map(changeOf);
  const decommission = [...changes]
    .reverse()
    .find(
      c => c.operation === 'decommission' && c.pullRequest.state !== 'closed',
    );
  const note = recordNote(changes);
  return {
    id: root.id,
    namespace: root.namespace,
    name: root.name,
    entityRef: root.entityRef,
    pullRequest: root.pullRequest,
    requestedBy: root.requestedBy,
    operation: root.operation,
    phase: deriveRequestPhase({
      pullRequest:
        root.operation === 'create' ? root.pullRequest.state : undefined,
      claimPresent: !!item,
      verdict: item?.health.verdict,
      healthyAt: root.healthyAt,
      goneAt: root.goneAt,
      changes: changes.map(c => ({
        operation: c.operation,
        pullRequest: c.pullRequest.state,
      })),
    }),
    timeline,
    timeToHealthySeconds: timeToHealthySeconds(timeline),
    ...(changes.length ? { changes } : {}),
    ...(root.goneAt && decommission
      ? { decommissionedBy: decommission.requestedBy }
      : {}),
    ...(note ? { note } : {}),
  };
}

/**
 * A claim's namespace and name from a request's input (body or query): each must be a label
 * value (a DNS label of at most 63 characters); an InputError names the first that is not.
 */
export function checkClaimLocation(fields: {
  namespace?: unknown;
  name?: unknown;
}): { namespace: string; name: string } {
  for (const [field, value] of Object.entries(fields)) {
    if (typeof value !== 'string' || !isLabelValue(value)) {
      throw new InputError(
        `${field} must be the claim's ${field} (a DNS label of at most 63 characters)`,
      );
    }
  }
  return { namespace: fields.namespace as string, name: fields.name as string };
}
