import { hopObject, recentEvents } from './events';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const ES = { kind: 'ExternalSecret', name: 'orders-db-credentials' };
const ago = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();
const event = (over: Record<string, unknown>) => ({
  involvedObject: { ...ES },
  type: 'Normal',
  reason: 'Updated',
  message: 'Updated Secret',
  count: 1,
  lastTimestamp: ago(1),
  ...over,
});

describe('recentEvents', () => {
  it('puts warnings first, then the newest, and folds repeats with their counts', () => {
    const lines = recentEvents(
      [
        event({ lastTimestamp: ago(2) }),
        event({
          type: 'Warning',
          reason: 'UpdateFailed',
          message: 'error retrieving secret at .data[0]',
          count: 3,
          lastTimestamp: ago(30),
        }),
        event({
          type: 'Warning',
          reason: 'UpdateFailed',
          message: 'error retrieving secret at .data[0]',
          count: 2,
          lastTimestamp: ago(5),
        }),
        event({ reason: 'Deleted', message: 'x', lastTimestamp: ago(1) }),
      ],
      [ES],
      { now: NOW },
    );
    expect(lines).toEqual([
      {
        type: 'Warning',
        reason: 'UpdateFailed',
        message: 'error retrieving secret at .data[0]',
        count: 5,
        lastSeen: ago(5),
        object: ES,
      },
      {
        type: 'Normal',
        reason: 'Deleted',
        message: 'x',
        count: 1,
        lastSeen: ago(1),
        object: ES,
      },
      {
        type: 'Normal',
        reason: 'Updated',
        message: 'Updated Secret',
        count: 1,
        lastSeen: ago(2),
        object: ES,
      },
    ]);
  });

  it('keeps only the objects asked for, the last hour, and at most 10 lines', () => {
    const many = Array.from({ length: 15 }, (_, i) =>
      event({ reason: `R${i}`, lastTimestamp: ago(i) }),
    );
    const lines = recentEvents(
      [
        ...many,
        event({ reason: 'Old', lastTimestamp: ago(61) }),
        event({ involvedObject: { kind: 'Secret', name: ES.name } }),
        event({ involvedObject: { kind: ES.kind, name: 'other' } }),
      ],
      [ES],
      { now: NOW },
    );
    expect(lines.map(l => l.reason)).toEqual(
      Array.from({ length: 10 }, (_, i) => `R${i}`),
    );
  });

  it('reads the time as Kubernetes gives it: series, lastTimestamp, eventTime, firstTimestamp', () => {
    const [a, b, c] = recentEvents(
      [
        event({ reason: 'A', lastTimestamp: null, eventTime: ago(3) }),
        event({
          reason: 'B',
          lastTimestamp: undefined,
          firstTimestamp: ago(4),
        }),
        event({
          reason: 'C',
          series: { count: 7, lastObservedTime: ago(2) },
          count: undefined,
        }),
      ],
      [ES],
      { now: NOW },
    );
    expect([a.reason, a.count, a.lastSeen]).toEqual(['C', 7, ago(2)]);
    expect([b.reason, b.lastSeen]).toEqual(['A', ago(3)]);
    expect([c.reason, c.lastSeen]).toEqual(['B', ago(4)]);
  });
});

describe('hopObject', () => {
  const names = {
    claim: 'orders-db',
    credentialsSecret: 'orders-db-credentials',
    connectionSecret: 'orders-db-conn',
  };
  it('names the object of each hop', () => {
    expect(hopObject('externalSecret', names)).toEqual(ES);
    expect(
      hopObject('externalSecret', { ...names, externalSecret: 'e' }),
    ).toEqual({ kind: 'ExternalSecret', name: 'e' });
    expect(hopObject('credentialsSecret', names)).toEqual({
      kind: 'Secret',
      name: 'orders-db-credentials',
    });
    expect(hopObject('claim', names)).toEqual({
      kind: 'PostgresInstance',
      name: 'orders-db',
    });
    expect(hopObject('cluster', names)).toEqual({
      kind: 'Cluster',
      name: 'orders-db',
    });
    expect(hopObject('connectionSecret', names)).toEqual({
      kind: 'Secret',
      name: 'orders-db-conn',
    });
  });
});
