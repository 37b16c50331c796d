/*
 * The shipped policy and catalog rules at every door (issue #24), in a real backend: the REAL
 * catalog (the portal's seed, catalog-info.yaml, with the catalog rules of app-config.yaml and
 * app-config.sandbox.yaml as the portal loads them), the portal's permission policy, the
 * scaffolder, the Kubernetes and postgres backends and the database provider, one Kubernetes
 * API stand-in holding claims. The guest is user:default/guest (team-agents), as in the portal.
 */
import fs from 'fs';
import http from 'http';
import { AddressInfo } from 'net';
import path from 'path';
import request from 'supertest';
import { parse, stringify } from 'yaml';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import {
  actorAwareAuth,
  catalogEntitiesModule,
  testDatabases,
  userInfoFromCatalog,
  waitForCatalog,
} from '@bizmatters/test-backend';
import { KubeObject, KubernetesStandIn } from '@bizmatters/sandbox';
import postgresPlugin from '@bizmatters/plugin-postgres-backend';
import catalogModulePostgres from '@bizmatters/plugin-catalog-backend-module-postgres';
import { databaseResourceName } from '@bizmatters/plugin-postgres-common';
import portalPolicy from './permissionPolicy';

jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '../../..');
const CLUSTER = 'sandbox-a';
const TASK = 'postgres-databases:refresh';
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** The catalog config as the portal loads it (app-config.yaml, then the sandbox's over it). */
function shippedCatalogConfig() {
  const read = (file: string) =>
    parse(fs.readFileSync(path.join(ROOT, file), 'utf8'))?.catalog ?? {};
  const catalog = {
    ...read('app-config.yaml'),
    ...read('app-config.sandbox.yaml'),
  };
  // the locations are relative to packages/backend, where the portal runs
  return {
    ...catalog,
    locations: (catalog.locations ?? []).map((l: any) => ({
      ...l,
      target:
        l.type === 'file'
          ? path.resolve(ROOT, 'packages/backend', l.target)
          : l.target,
    })),
  };
}

/** A claim as the template writes it, naming a component and an owner. */
function claim(
  namespace: string,
  name: string,
  entityRef: string,
  owner: string,
): KubeObject {
  return {
    apiVersion: 'database.bizmatters.io/v1alpha1',
    kind: 'PostgresInstance',
    metadata: {
      namespace,
      name,
      annotations: {
        'bizmatters.io/entity-ref': entityRef,
        'bizmatters.io/owner': owner,
      },
    },
    spec: {
      size: 'small',
      version: '16',
      storageGB: 10,
      databaseName: name.replace(/-/g, '_'),
      databaseOwner: `${name.replace(/-/g, '_')}_owner`,
      connectionSecretName: `${name}-connection`,
      credentialsSecretName: `${name}-credentials`,
    },
  } as KubeObject;
}

const PAYMENTS_DB = databaseResourceName({
  cluster: CLUSTER,
  namespace: 'payments',
  name: 'payments-db',
});
// names payments but claims team-agents (the guest's team) as its owner
const LYING_DB = databaseResourceName({
  cluster: CLUSTER,
  namespace: 'payments',
  name: 'lying-db',
});
const AGENTS_DB = databaseResourceName({
  cluster: CLUSTER,
  namespace: 'agents',
  name: 'agent-executor-db',
});

// the name payments' database would take in another cluster, before its claim exists there
const SQUATTED_DB = databaseResourceName({
  cluster: 'sandbox-b',
  namespace: 'payments',
  name: 'payments-db',
});

/** Users the seed does not have (fed by a provider: the catalog rules do not gate them). */
const TEST_ENTITIES = [
  ...[
    ['pam', 'team-payments'],
    ['pat', 'platform-team'],
  ].map(([name, group]) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: { memberOf: [group] },
  })),
  {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: { name: 'wait-a-while', namespace: 'default' },
    spec: {
      type: 'service',
      owner: 'group:default/platform-team',
      parameters: [],
      steps: [
        {
          id: 'wait',
          name: 'Wait',
          action: 'debug:wait',
          input: { seconds: 30 },
        },
      ],
    },
  },
] as Entity[];

const auth = (user: string) =>
  `Bearer ${mockCredentials.user.token(`user:default/${user}`)}`;

describe('one visibility rule at every door, under the shipped policy and catalog rules', () => {
  let kube: KubernetesStandIn;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  const scheduler = mockServices.scheduler();
  const pluginDatabases = testDatabases();
  let files: string;
  let fileServer: http.Server;

  const get = (url: string, user: string) =>
    request(backend.server).get(url).set('authorization', auth(user));
  const resource = (name: string, user: string) =>
    get(`/api/catalog/entities/by-name/resource/default/${name}`, user);

  beforeAll(async () => {
    // a user's files: a location whose targets are a Component and a Template
    const served: Record<string, string> = {
      '/location.yaml': stringify({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Location',
        metadata: { name: 'sneaky' },
        spec: { targets: ['./service.yaml', './sneaky.yaml'] },
      }),
      '/service.yaml': stringify({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'sneaky-service' },
        spec: { type: 'service', lifecycle: 'test', owner: 'team-agents' },
      }),
      // a Resource taking payments' database Resource's name, pointing at its claim
      '/squat.yaml': stringify({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: {
          name: SQUATTED_DB,
          annotations: {
            'bizmatters.io/postgres-instances':
              'sandbox-b/payments/payments-db',
          },
        },
        spec: { type: 'database', owner: 'team-agents' },
      }),
      '/sneaky.yaml': stringify({
        apiVersion: 'scaffolder.backstage.io/v1beta3',
        kind: 'Template',
        metadata: { name: 'sneaky' },
        spec: { type: 'service', owner: 'team-agents', steps: [] },
      }),
    };
    fileServer = http.createServer((req, res) => {
      const body = served[req.url ?? ''];
      if (body === undefined) res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'text/yaml' }).end(body);
    });
    await new Promise<void>(r => fileServer.listen(0, '127.0.0.1', r));
    const port = (fileServer.address() as AddressInfo).port;
    files = `http://127.0.0.1:${port}`;
    kube = await KubernetesStandIn.start({ name: CLUSTER });
    kube.apply(
      claim(
        'payments',
        'payments-db',
        'component:default/payments',
        'group:default/team-payments',
      ),
      claim(
        'payments',
        'lying-db',
        'component:default/payments',
        'group:default/team-agents',
      ),
      claim(
        'agents',
        'agent-executor-db',
        'component:default/agent-executor',
        'group:default/team-agents',
      ),
    );
    backend = await startTestBackend({
      features: [
        catalogPlugin,
        catalogEntitiesModule(TEST_ENTITIES),
        catalogScaffolderEntityModel,
        catalogModulePostgres,
        permissionPlugin,
        portalPolicy,
        userInfoFromCatalog,
        actorAwareAuth,
        scaffolderPlugin,
        postgresPlugin,
        kubernetesPlugin,
        pluginDatabases.factory,
        permissionsServiceFactory,
        (scheduler as any).factory({ skipTaskRunOnStartup: true }),
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
        mockServices.rootConfig.factory({
          data: {
            backend: {
              baseUrl: 'http://localhost:7007',
              reading: { allow: [{ host: `127.0.0.1:${port}` }] },
            },
            permission: { enabled: true },
            catalog: shippedCatalogConfig(),
            kubernetes: KubernetesStandIn.backstageConfig([kube]),
            postgres: { cache: { ttlSeconds: 1 } },
          },
        }),
      ],
    });
    // the seed loads under the shipped rules: templates, groups, users, components
    await waitForCatalog(
      backend.server,
      [
        'template/default/new-postgres-db',
        'template/default/change-postgres-db',
        'template/default/remove-postgres-credentials',
        'group/default/platform-team',
        'group/default/team-payments',
        'user/default/guest',
        'user/default/pam',
        'user/default/pat',
        'component/default/payments',
        'component/default/agent-executor',
      ],
      { authorization: auth('pat') },
    );
    // the database Resources, as the provider makes them
    const deadline = Date.now() + 90_000;
    for (;;) {
      await scheduler.triggerTask(TASK);
      const all = await Promise.all(
        [PAYMENTS_DB, LYING_DB, AGENTS_DB].map(n => resource(n, 'pat')),
      );
      if (all.every(r => r.status === 200 && r.body.relations)) break;
      if (Date.now() > deadline)
        throw new Error('The catalog did not show the database Resources');
      await sleep(2000);
    }
  });

  afterAll(async () => {
    await backend?.stop();
    await pluginDatabases.stop();
    await kube?.stop();
    await new Promise(r => fileServer?.close(r));
  });

  it('the guest’s catalog query lists its own team’s databases and none of payments’', async () => {
    const url =
      '/api/catalog/entities/by-query?filter=kind=resource,spec.type=database';
    const guest = await get(url, 'guest');
    expect(guest.status).toBe(200);
    const names = (res: any) =>
      res.body.items.map((e: any) => e.metadata.name).sort();
    expect(names(guest)).toEqual([AGENTS_DB]);
    expect(guest.text).not.toContain('payments');
    // payments' owners read theirs; the platform team reads all
    expect(names(await get(url, 'pam'))).toEqual(
      [LYING_DB, PAYMENTS_DB].sort(),
    );
    expect(names(await get(url, 'pat'))).toEqual(
      [AGENTS_DB, LYING_DB, PAYMENTS_DB].sort(),
    );
  });

  it('the Resource page of payments’ database does not open for the guest', async () => {
    expect((await resource(PAYMENTS_DB, 'guest')).status).toBe(404);
    expect((await resource(PAYMENTS_DB, 'pam')).status).toBe(200);
    // the postgres backend answers as for an entity that does not exist
    const db = await get(
      `/api/postgres/v1/entities/resource/default/${PAYMENTS_DB}/databases`,
      'guest',
    );
    expect(db.status).toBe(404);
    expect(db.text).not.toContain('team-payments');
  });

  it('payments’ "depends on" resolves to no database for the guest (the page’s card)', async () => {
    const payments = await get(
      '/api/catalog/entities/by-name/component/default/payments',
      'pat',
    );
    const dependsOn = payments.body.relations
      .filter((r: any) => r.type === 'dependsOn')
      .map((r: any) => r.targetRef);
    expect(dependsOn).toEqual([`resource:default/${PAYMENTS_DB}`]);
    // what the entity page's "Depends on resources" card asks for those refs
    const related = (user: string) =>
      request(backend.server)
        .post('/api/catalog/entities/by-refs')
        .set('authorization', auth(user))
        .send({ entityRefs: dependsOn });
    expect((await related('guest')).body.items).toEqual([null]);
    expect(
      (await related('pam')).body.items.map((e: any) => e?.metadata.name),
    ).toEqual([PAYMENTS_DB]);
  });

  it('payments’ relations, as the guest reads them, name no claim, namespace or cluster of its databases', async () => {
    const payments = await get(
      '/api/catalog/entities/by-name/component/default/payments',
      'guest',
    );
    expect(payments.status).toBe(200);
    // the component is readable, so are its relations: the refs to its database Resources
    // must tell nothing of the claims (the entity page prints an unreadable ref as it is)
    const resourceRefs = payments.body.relations
      .map((r: any) => r.targetRef as string)
      .filter((ref: string) => ref.startsWith('resource:'));
    expect(resourceRefs).toHaveLength(1);
    for (const ref of resourceRefs) {
      expect(ref).not.toMatch(/payments-db|payments|sandbox-a/);
    }
  });

  it('a lying claim: its Resource is owned as the catalog says, marked, and related to nothing', async () => {
    const res = await resource(LYING_DB, 'pat');
    expect(res.body.spec).toEqual({
      type: 'database',
      owner: 'group:default/team-payments',
    });
    expect(
      res.body.metadata.annotations['bizmatters.io/ownership-mismatch'],
    ).toBe(
      'The claim names owner group:default/team-agents, but the catalog says component:default/payments is owned by group:default/team-payments',
    );
    // not on the guest's team's tab, not readable by the guest
    expect((await resource(LYING_DB, 'guest')).status).toBe(404);
    const agents = await get(
      '/api/catalog/entities/by-name/group/default/team-agents',
      'pat',
    );
    expect(JSON.stringify(agents.body.relations)).not.toContain(LYING_DB);
  });

  it('scaffolder tasks: each lists only its own; cancelling another’s is refused; the platform team sees all', async () => {
    const start = async (user: string) => {
      const res = await request(backend.server)
        .post('/api/scaffolder/v2/tasks')
        .set('authorization', auth(user))
        .send({ templateRef: 'template:default/wait-a-while', values: {} });
      expect([res.status, res.text]).toEqual([201, expect.any(String)]);
      return res.body.id as string;
    };
    const pams = await start('pam');
    const guests = await start('guest');
    const list = async (user: string) =>
      (await get('/api/scaffolder/v2/tasks', user)).body.tasks
        .map((t: any) => t.id)
        .sort();
    expect(await list('guest')).toEqual([guests]);
    expect(await list('pam')).toEqual([pams]);
    expect(await list('pat')).toEqual([guests, pams].sort());
    expect(
      (await get(`/api/scaffolder/v2/tasks/${pams}`, 'guest')).status,
    ).toBe(403);
    const cancel = (id: string, user: string) =>
      request(backend.server)
        .post(`/api/scaffolder/v2/tasks/${id}/cancel`)
        .set('authorization', auth(user));
    expect((await cancel(pams, 'guest')).status).toBe(403);
    expect((await cancel(guests, 'guest')).status).toBe(200);
    expect((await cancel(pams, 'pat')).status).toBe(200);
  });

  it('a location holding a Template: the guest may not register it; the platform team’s gets no Template in (the catalog rules)', async () => {
    const register = (user: string, file: string) =>
      request(backend.server)
        .post('/api/catalog/locations')
        .set('authorization', auth(user))
        .send({ type: 'url', target: `${files}/${file}` });
    expect((await register('guest', 'sneaky.yaml')).status).toBe(403);
    // one the platform team registers is still not one of the platform's own locations in the
    // config: the catalog rules refuse its Template, and nothing of it is written
    const dry = await request(backend.server)
      .post('/api/catalog/locations?dryRun=true')
      .set('authorization', auth('pat'))
      .send({ type: 'url', target: `${files}/location.yaml` });
    expect(dry.status).toBe(400);
    expect(dry.body.error.message).toMatch(
      /Entity template:default\/sneaky at url:http:\/\/127\.0\.0\.1:\d+\/location\.yaml, originated at .* is not of an allowed kind for that location/,
    );
    // nor may a location hold a Resource (e.g. one squatting a database Resource's name)
    const squat = await request(backend.server)
      .post('/api/catalog/locations?dryRun=true')
      .set('authorization', auth('pat'))
      .send({ type: 'url', target: `${files}/squat.yaml` });
    expect(squat.status).toBe(400);
    expect(squat.body.error.message).toMatch(
      new RegExp(
        `Entity resource:default/${SQUATTED_DB} .* is not of an allowed kind`,
      ),
    );
    // a location holding only a Component is fine
    const fine = await request(backend.server)
      .post('/api/catalog/locations?dryRun=true')
      .set('authorization', auth('pat'))
      .send({ type: 'url', target: `${files}/service.yaml` });
    expect(fine.status).toBe(201);
    expect(
      (
        await get(
          '/api/catalog/entities/by-name/template/default/sneaky',
          'pat',
        )
      ).status,
    ).toBe(404);
  });
});
