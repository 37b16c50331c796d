import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { registerAgentActions } from './agentActions';
import { DatabaseViews } from './databaseViews';
import { serialize } from './serializedAnswer';

/** The actions as registered, callable with any credentials. */
function registered(services: string[]) {
  const actions = new Map<string, any>();
  const fleetCalls: BackstageCredentials[] = [];
  const views = {
    ofFleet: async (credentials: BackstageCredentials) => {
      fleetCalls.push(credentials);
      return serialize({ items: [], errors: [] });
    },
  } as unknown as DatabaseViews;
  registerAgentActions({
    actionsRegistry: { register: (a: any) => actions.set(a.name, a) },
    auth: mockServices.auth(),
    views,
    services,
    policy: {},
  });
  const list = (credentials: BackstageCredentials) =>
    actions.get('list-databases').action({
      input: {},
      credentials,
      logger: mockServices.logger.mock(),
    });
  return { actions, list, fleetCalls };
}

describe('the agents’ actions: who may call them', () => {
  it('registers the four, read-only and idempotent', () => {
    const { actions } = registered([]);
    expect([...actions.keys()].sort()).toEqual([
      'explain-database',
      'get-connection-info',
      'get-database-health',
      'list-databases',
    ]);
    for (const action of actions.values()) {
      expect(action.attributes).toMatchObject({
        readOnly: true,
        idempotent: true,
        destructive: false,
      });
    }
  });

  it('answers a user, and a service only when postgres.actions.services lists it', async () => {
    const { list, fleetCalls } = registered(['plugin:mcp-actions']);
    await expect(
      list(mockCredentials.user('user:default/alice')),
    ).resolves.toEqual({
      output: { databases: [], total: 0, requests: [], errors: [] },
    });
    await expect(
      list(mockCredentials.service('plugin:mcp-actions')),
    ).resolves.toBeDefined();
    await expect(
      list(mockCredentials.service('plugin:catalog')),
    ).rejects.toThrow(/plugin:catalog may not call the postgres actions/);
    await expect(list(mockCredentials.none())).rejects.toThrow(
      /may not call the postgres actions/,
    );
    // refused before anything was read
    expect(fleetCalls).toHaveLength(2);
  });
});
