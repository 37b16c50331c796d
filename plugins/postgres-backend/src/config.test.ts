import { mockServices } from '@backstage/backend-test-utils';
import { readBackendSettings } from './config';

describe('readBackendSettings', () => {
  it('applies every default when postgres.* is empty', () => {
    const settings = readBackendSettings(mockServices.rootConfig());
    expect({ ...settings, policy: undefined }).toEqual({
      policy: undefined,
      ttlMs: 10_000,
      maxEntities: 10_000,
      kubernetes: { timeoutMs: 5000, maxResponseBytes: 10 * 1024 * 1024 },
      limits: { maxRefsPerEntity: 20, concurrency: 8, deadlineMs: 15_000 },
      catalogTimeoutMs: 10_000,
      recoverability: {
        enabled: true,
        requiredIn: ['prod'],
        maxBackupAgeHours: 26,
      },
      actions: { services: [] },
      claims: {
        showUnannotated: false,
        readers: ['plugin:catalog', 'plugin:scaffolder'],
      },
      fleetStaleMs: 60_000,
      stuckAfterSeconds: undefined,
      requests: {
        keepDecommissionedDays: 7,
        registrar: 'plugin:scaffolder',
        callsPerMinute: 60,
      },
    });
    expect(settings.policy.gitops.repositories).toEqual([]);
  });

  it('reads every value that is set, converting seconds to ms', () => {
    const settings = readBackendSettings(
      mockServices.rootConfig({
        data: {
          postgres: {
            cache: { ttlSeconds: 3 },
            catalog: { timeoutMs: 700 },
            kubernetes: {
              timeoutMs: 900,
              deadlineMs: 2000,
              concurrency: 2,
              maxResponseBytes: 1024,
            },
            recoverability: {
              enabled: false,
              requiredIn: ['prod', 'staging'],
              maxBackupAgeHours: 12,
            },
            actions: { services: ['plugin:mcp-actions'] },
            claims: {
              showUnannotated: true,
              maxRefsPerEntity: 5,
              readers: ['plugin:catalog'],
            },
            fleet: { staleSeconds: 0 },
            health: { stuckAfterSeconds: 120 },
            requests: { keepDecommissionedDays: 1 },
            limits: { callsPerMinute: 6 },
          },
        },
      }),
    );
    expect({ ...settings, policy: undefined }).toEqual({
      policy: undefined,
      ttlMs: 3000,
      maxEntities: 10_000,
      kubernetes: { timeoutMs: 900, maxResponseBytes: 1024 },
      limits: { maxRefsPerEntity: 5, concurrency: 2, deadlineMs: 2000 },
      catalogTimeoutMs: 700,
      recoverability: {
        enabled: false,
        requiredIn: ['prod', 'staging'],
        maxBackupAgeHours: 12,
      },
      actions: { services: ['plugin:mcp-actions'] },
      claims: { showUnannotated: true, readers: ['plugin:catalog'] },
      fleetStaleMs: 0,
      stuckAfterSeconds: 120,
      requests: {
        keepDecommissionedDays: 1,
        registrar: 'plugin:scaffolder',
        callsPerMinute: 6,
      },
    });
  });
});
