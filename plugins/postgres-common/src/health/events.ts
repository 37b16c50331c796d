import type { StepId } from './types';

/** The Kubernetes object whose events explain a hop. @public */
export interface EventObject {
  /** `involvedObject.kind`, e.g. `ExternalSecret`. */
  kind: string;
  /** `involvedObject.name`. */
  name: string;
}

/** One line of a hop's recent events: repeats of the same reason and message folded. @public */
export interface DatabaseEvent {
  /** `Warning` or `Normal`. */
  type: string;
  /** The reporter's machine word, e.g. `UpdateFailed`. */
  reason: string;
  /** What the reporter said. */
  message: string;
  /** How many times it was reported (Kubernetes' own count, summed over folded events). */
  count: number;
  /** When it was last reported (ISO 8601), if the event says. */
  lastSeen?: string;
  /** The object it is about. */
  object: EventObject;
}

/** The recent events of a database's failing hop. @public */
export interface StepEvents {
  /** The hop they are about. */
  step: StepId;
  /** The objects whose events were read. */
  objects: EventObject[];
  /** At most {@link RECENT_EVENTS_MAX} lines, warnings first, newest first within each type. */
  items: DatabaseEvent[];
  /** Set when the events could not be read (the items are then empty). */
  error?: string;
}

/** How many event lines a hop shows. @public */
export const RECENT_EVENTS_MAX = 10;
/** How far back events are shown. @public */
export const RECENT_EVENTS_WINDOW_MS = 60 * 60 * 1000;

/** A core/v1 (or events.k8s.io/v1 served as core) Event: the fields read. */
interface EventView {
  type?: unknown;
  reason?: unknown;
  message?: unknown;
  note?: unknown;
  count?: unknown;
  lastTimestamp?: unknown;
  eventTime?: unknown;
  firstTimestamp?: unknown;
  series?: { count?: unknown; lastObservedTime?: unknown };
  involvedObject?: { kind?: unknown; name?: unknown };
  metadata?: { creationTimestamp?: unknown };
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/**
 * When an event was last seen, as Kubernetes gives it: `series.lastObservedTime`, then
 * `lastTimestamp` (core/v1, set by the legacy recorder), then `eventTime` (set by the new
 * events API, with `lastTimestamp` empty), then `firstTimestamp`, then the object's creation.
 */
function lastSeenOf(e: EventView): string | undefined {
  return (
    str(e.series?.lastObservedTime) ??
    str(e.lastTimestamp) ??
    str(e.eventTime) ??
    str(e.firstTimestamp) ??
    str(e.metadata?.creationTimestamp)
  );
}

function timeOf(iso: string | undefined): number {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

/**
 * The recent events of `objects` among `events` (what a LIST of Events answered): those of the
 * last `windowMs` (events without a time are kept), repeats of the same object, type, reason and
 * message folded into one line with the counts summed, warnings first, then newest first, at most
 * `max` lines. Pure.
 *
 * @public
 */
export function recentEvents(
  events: unknown[],
  objects: EventObject[],
  options: { now?: number; windowMs?: number; max?: number } = {},
): DatabaseEvent[] {
  const {
    now = Date.now(),
    windowMs = RECENT_EVENTS_WINDOW_MS,
    max = RECENT_EVENTS_MAX,
  } = options;
  const wanted = new Set(objects.map(o => `${o.kind}/${o.name}`));
  const folded = new Map<string, DatabaseEvent & { at: number }>();
  for (const raw of events) {
    if (!raw || typeof raw !== 'object') continue;
    const e = raw as EventView;
    const kind = str(e.involvedObject?.kind) ?? '';
    const name = str(e.involvedObject?.name) ?? '';
    if (!wanted.has(`${kind}/${name}`)) continue;
    const lastSeen = lastSeenOf(e);
    const at = timeOf(lastSeen);
    if (at && at < now - windowMs) continue;
    const type = str(e.type) ?? 'Normal';
    const reason = str(e.reason) ?? '';
    const message = str(e.message) ?? str(e.note) ?? '';
    let count = 1;
    if (typeof e.series?.count === 'number') count = e.series.count;
    else if (typeof e.count === 'number' && e.count > 0) count = e.count;
    const key = JSON.stringify([kind, name, type, reason, message]);
    const seen = folded.get(key);
    if (seen) {
      seen.count += count;
      if (at > seen.at) {
        seen.at = at;
        seen.lastSeen = lastSeen;
      }
    } else {
      folded.set(key, {
        type,
        reason,
        message,
        count,
        ...(lastSeen ? { lastSeen } : {}),
        object: { kind, name },
        at,
      });
    }
  }
  return [...folded.values()]
    .sort(
      (a, b) =>
        Number(b.type === 'Warning') - Number(a.type === 'Warning') ||
        b.at - a.at,
    )
    .slice(0, max)
    .map(({ at: _at, ...line }) => line);
}

/**
 * The object whose events explain a hop: the ExternalSecret (named as read, or as the
 * credentials secret it writes), the credentials Secret, the claim, the CNPG Cluster (named as
 * the claim, as the platform's Composition makes it) or the connection Secret. One object per hop,
 * so a failing hop costs one Events read per namespace (see the backend).
 *
 * @public
 */
export function hopObject(
  step: StepId,
  names: {
    claim: string;
    credentialsSecret: string;
    connectionSecret: string;
    externalSecret?: string;
  },
): EventObject {
  switch (step) {
    case 'externalSecret':
      return {
        kind: 'ExternalSecret',
        name: names.externalSecret ?? names.credentialsSecret,
      };
    case 'credentialsSecret':
      return { kind: 'Secret', name: names.credentialsSecret };
    case 'claim':
      return { kind: 'PostgresInstance', name: names.claim };
    case 'cluster':
      return { kind: 'Cluster', name: names.claim };
    case 'connectionSecret':
    default:
      return { kind: 'Secret', name: names.connectionSecret };
  }
}
