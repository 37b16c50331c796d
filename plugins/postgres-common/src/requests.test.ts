import {
  bindPullRequest,
  deriveRequestPhase,
  formatDuration,
  isDismissable,
  pullRequestState,
  timeToHealthySeconds,
} from './requests';

describe('pullRequestState', () => {
  it('is merged when GitHub gives a merged_at (a list entry has no merged flag)', () => {
    expect(
      pullRequestState({ state: 'closed', merged_at: '2026-01-01T00:00:00Z' }),
    ).toBe('merged');
    expect(pullRequestState({ state: 'closed', merged: true })).toBe('merged');
  });
  it('is closed when closed without merge, open otherwise', () => {
    expect(pullRequestState({ state: 'closed', merged_at: null })).toBe(
      'closed',
    );
    expect(pullRequestState({ state: 'open', merged_at: null })).toBe('open');
  });
});

describe('deriveRequestPhase', () => {
  it('follows the pull request while no claim is in a cluster', () => {
    expect(
      deriveRequestPhase({ pullRequest: 'open', claimPresent: false }),
    ).toBe('requested');
    expect(
      deriveRequestPhase({ pullRequest: 'merged', claimPresent: false }),
    ).toBe('merged');
    expect(
      deriveRequestPhase({ pullRequest: 'closed', claimPresent: false }),
    ).toBe('abandoned');
  });
  it('a claim in a cluster wins over what the forge said last', () => {
    expect(
      deriveRequestPhase({
        pullRequest: 'open',
        claimPresent: true,
        verdict: 'progressing',
      }),
    ).toBe('provisioning');
    expect(
      deriveRequestPhase({
        pullRequest: 'merged',
        claimPresent: true,
        verdict: 'healthy',
      }),
    ).toBe('healthy');
  });
  it('once seen healthy, a request stays healthy (the hops tell how it is now)', () => {
    expect(
      deriveRequestPhase({
        pullRequest: 'merged',
        claimPresent: true,
        verdict: 'degraded',
        healthyAt: '2026-01-01T00:05:00Z',
      }),
    ).toBe('healthy');
    expect(
      deriveRequestPhase({
        pullRequest: 'merged',
        claimPresent: true,
        verdict: 'failed',
      }),
    ).toBe('provisioning');
  });
});

describe('timeToHealthySeconds', () => {
  it('counts from the request to the first healthy sighting', () => {
    expect(
      timeToHealthySeconds({
        requestedAt: '2026-01-01T00:00:00Z',
        healthyAt: '2026-01-01T00:03:20.400Z',
      }),
    ).toBe(200);
  });
  it('is undefined until healthy, or when a time is not a date', () => {
    expect(
      timeToHealthySeconds({ requestedAt: '2026-01-01T00:00:00Z' }),
    ).toBeUndefined();
    expect(
      timeToHealthySeconds({ requestedAt: 'x', healthyAt: 'y' }),
    ).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [45, '45 s'],
    [60, '1 min'],
    [200, '3 min 20 s'],
    [3600, '1 h'],
    [7500, '2 h 5 min'],
    [86400 + 3 * 3600, '1 d 3 h'],
  ])('%d s reads %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('isDismissable', () => {
  it('only an abandoned request may be dismissed', () => {
    expect(isDismissable('abandoned')).toBe(true);
    for (const phase of [
      'requested',
      'merged',
      'provisioning',
      'healthy',
    ] as const) {
      expect(isDismissable(phase)).toBe(false);
    }
  });
});

describe('bindPullRequest', () => {
  const claim = (entityRef?: string) => ({
    namespace: 'orders',
    name: 'orders-db',
    ...(entityRef ? { entityRef } : {}),
  });
  const base = {
    entityRef: 'component:default/orders',
    namespace: 'orders',
    name: 'orders-db',
  };
  const file = 'databases/orders/orders-db/postgresinstance.yaml';

  it("binds a creation: the claim's branch, adding the claim that names the entity", () => {
    expect(
      bindPullRequest({
        ...base,
        headRef: 'postgres/orders/orders-db',
        files: [
          { filename: 'x/externalsecret.yaml', status: 'added' },
          {
            filename: file,
            status: 'added',
            claim: claim('Component:default/orders'),
          },
        ],
      }),
    ).toEqual({ operation: 'create' });
  });

  it('binds a change (claim edited) and a decommission (claim deleted)', () => {
    const headRef = 'postgres-change/orders/orders-db/growStorage-abc';
    expect(
      bindPullRequest({
        ...base,
        headRef,
        files: [
          { filename: file, status: 'modified', claim: claim(base.entityRef) },
        ],
      }),
    ).toEqual({ operation: 'change' });
    expect(
      bindPullRequest({
        ...base,
        headRef,
        files: [
          { filename: file, status: 'removed', claim: claim(base.entityRef) },
        ],
      }),
    ).toEqual({ operation: 'decommission' });
  });

  it('refuses another branch, a claim of another team, a pull request that does not carry the claim', () => {
    const added = [
      { filename: file, status: 'added', claim: claim(base.entityRef) },
    ];
    expect(
      bindPullRequest({
        ...base,
        headRef: 'postgres/orders/other',
        files: added,
      }).refused,
    ).toMatch(
      /branch postgres\/orders\/other is not the branch of orders\/orders-db/,
    );
    expect(
      bindPullRequest({
        ...base,
        headRef: 'postgres-change/orders/orders-db/',
        files: added,
      }).refused,
    ).toMatch(/is not the branch/);
    expect(
      bindPullRequest({
        ...base,
        entityRef: 'component:evil/orders',
        headRef: 'postgres/orders/orders-db',
        files: added,
      }).refused,
    ).toMatch(/names component:default\/orders, not component:evil\/orders/);
    expect(
      bindPullRequest({
        ...base,
        headRef: 'postgres/orders/orders-db',
        files: [{ filename: file, status: 'added', claim: claim() }],
      }).refused,
    ).toMatch(/names no entity/);
    expect(
      bindPullRequest({
        ...base,
        headRef: 'postgres/orders/orders-db',
        files: [
          { filename: file, status: 'modified', claim: claim(base.entityRef) },
        ],
      }).refused,
    ).toMatch(/does not add the claim of orders\/orders-db/);
  });
});
