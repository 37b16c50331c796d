/* What the failing hop's events keep of a core/v1 Event, and how many one read asks for. */
import { KubeObject } from '@bizmatters/plugin-postgres-common';

/** The most Events one LIST asks for (`limit`). */
export const EVENTS_LIMIT = 500;

/** An Event with only what recentEvents reads (no annotations, managed fields, source...). */
export function eventView(e: any): KubeObject {
  const pick = (o: any, keys: string[]) =>
    Object.fromEntries(
      keys
        .filter(k => o?.[k] !== undefined && o?.[k] !== null)
        .map(k => [k, o[k]]),
    );
  return {
    ...pick(e, [
      'type',
      'reason',
      'message',
      'count',
      'lastTimestamp',
      'eventTime',
      'firstTimestamp',
    ]),
    ...(e?.series
      ? { series: pick(e.series, ['count', 'lastObservedTime']) }
      : {}),
    involvedObject: pick(e?.involvedObject, ['kind', 'name']),
    metadata: pick(e?.metadata, ['creationTimestamp']),
  } as KubeObject;
}
