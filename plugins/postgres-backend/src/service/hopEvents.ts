import { recentEvents, StepEvents } from '@bizmatters/plugin-postgres-common';
import { ClusterReader } from './ClusterReader';
import { FleetEntry } from './databaseItems';
import { ReadScope } from './ReadScope';
import { describeReadError } from './readErrors';

/**
 * Puts on each entry that has a failing hop (`failing`: not healthy) the recent events of that
 * hop's object as `item.events`. Events are read once per namespace and kind of failing object
 * (a LIST selected by `involvedObject.kind`, cached for the reads' TTL), and filtered by name
 * here: many databases failing at the same hop in one namespace cost one read; healthy ones
 * none. A failed read leaves the answer whole, with the reason in `events.error`.
 */
export async function attachHopEvents(
  reader: ClusterReader,
  cluster: string,
  entries: FleetEntry[],
  scope: ReadScope,
  now = Date.now(),
): Promise<void> {
  const reads = new Map<string, Promise<unknown[]>>();
  await Promise.all(
    entries.map(async entry => {
      const { failing, item } = entry;
      if (!failing) return;
      const key = `${item.namespace}\n${failing.object.kind}`;
      let read = reads.get(key);
      if (!read) {
        read = reader.events(
          cluster,
          item.namespace,
          failing.object.kind,
          scope,
        );
        reads.set(key, read);
      }
      const events: StepEvents = {
        step: failing.step,
        objects: [failing.object],
        items: [],
      };
      try {
        events.items = recentEvents(await read, [failing.object], { now });
      } catch (e) {
        events.error = `Events could not be read: ${describeReadError(
          e,
          'events',
          cluster,
          item.namespace,
        )}`;
      }
      item.events = events;
    }),
  );
}
