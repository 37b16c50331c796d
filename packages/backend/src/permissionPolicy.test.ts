import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  catalogEntityReadPermission,
  catalogLocationCreatePermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  taskCancelPermission,
  taskReadPermission,
  templateParameterReadPermission,
} from '@backstage/plugin-scaffolder-common/alpha';
import { kubernetesProxyPermission } from '@backstage/plugin-kubernetes-common';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';
import { FLEET_READERS, PortalPermissionPolicy } from './permissionPolicy';

const user = (ref: string, groups: string[] = []): PolicyQueryUser =>
  ({
    identity: { type: 'user', userEntityRef: ref, ownershipEntityRefs: [] },
    token: 'token',
    credentials: {} as any,
    info: { userEntityRef: ref, ownershipEntityRefs: [ref, ...groups] },
  } as unknown as PolicyQueryUser);

const guest = user('user:default/guest', ['group:default/team-agents']);
const platform = user('user:default/pat', ['group:default/platform-team']);

describe('PortalPermissionPolicy', () => {
  const policy = new PortalPermissionPolicy({ fleetReaders: FLEET_READERS });

  it('catalog.entity.read: a database Resource only to its owners; every other entity to all', async () => {
    expect(
      await policy.handle({ permission: catalogEntityReadPermission }, guest),
    ).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        anyOf: [
          {
            not: {
              allOf: [
                {
                  rule: 'IS_ENTITY_KIND',
                  resourceType: 'catalog-entity',
                  params: { kinds: ['Resource'] },
                },
                {
                  rule: 'HAS_SPEC',
                  resourceType: 'catalog-entity',
                  params: { key: 'type', value: 'database' },
                },
                {
                  rule: 'HAS_ANNOTATION',
                  resourceType: 'catalog-entity',
                  params: { annotation: 'bizmatters.io/postgres-instances' },
                },
              ],
            },
          },
          {
            rule: 'IS_ENTITY_OWNER',
            resourceType: 'catalog-entity',
            params: {
              claims: ['user:default/guest', 'group:default/team-agents'],
            },
          },
        ],
      },
    });
  });

  it('catalog.entity.read: the platform team reads all; publicInventory opens the inventory', async () => {
    expect(
      await policy.handle(
        { permission: catalogEntityReadPermission },
        platform,
      ),
    ).toEqual({ result: AuthorizeResult.ALLOW });
    const open = new PortalPermissionPolicy({
      fleetReaders: FLEET_READERS,
      publicInventory: true,
    });
    expect(
      await open.handle({ permission: catalogEntityReadPermission }, guest),
    ).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('scaffolder tasks: read and cancelled by their creator and the platform team only', async () => {
    for (const permission of [taskReadPermission, taskCancelPermission]) {
      expect(await policy.handle({ permission }, guest)).toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'scaffolder',
        resourceType: 'scaffolder-task',
        conditions: {
          rule: 'IS_TASK_OWNER',
          resourceType: 'scaffolder-task',
          params: { createdBy: ['user:default/guest'] },
        },
      });
      expect(await policy.handle({ permission }, platform)).toEqual({
        result: AuthorizeResult.ALLOW,
      });
      expect(await policy.handle({ permission })).toEqual({
        result: AuthorizeResult.DENY,
      });
    }
  });

  it('catalog.location.create: the platform team only', async () => {
    const permission = catalogLocationCreatePermission;
    expect(await policy.handle({ permission }, guest)).toEqual({
      result: AuthorizeResult.DENY,
    });
    expect(await policy.handle({ permission }, platform)).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });

  it('the Kubernetes proxy is denied; the templates stay readable', async () => {
    expect(
      await policy.handle({ permission: kubernetesProxyPermission }, platform),
    ).toEqual({ result: AuthorizeResult.DENY });
    expect(
      await policy.handle(
        { permission: templateParameterReadPermission },
        guest,
      ),
    ).toEqual({ result: AuthorizeResult.ALLOW });
  });
});
