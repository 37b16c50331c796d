import net from 'net';
import { parse } from 'yaml';
import {
  DatabaseRequest,
  renderManifestFiles,
} from '@bizmatters/plugin-postgres-common';
import {
  DatabaseServer,
  findPostgresBinaries,
  freePort,
  KubernetesStandIn,
  pgClient,
  PlatformSimulator,
  SsmStandIn,
} from '@bizmatters/sandbox';

const orders: DatabaseRequest = {
  name: 'orders-db',
  namespace: 'orders',
  service: 'orders',
  environment: 'dev',
  size: 'small',
  version: '16',
  storageGB: 10,
  databaseName: 'orders',
  databaseOwner: 'orders_app',
};
// as the sandbox's seeded billing database: SSM holds 'billing-app', the owner is 'billing_app'
const billing: DatabaseRequest = {
  ...orders,
  name: 'billing-db',
  namespace: 'billing',
  service: 'billing',
  databaseName: 'billing',
  databaseOwner: 'billing_app',
};

const bin = findPostgresBinaries();
if (!bin) {
  // eslint-disable-next-line no-console
  console.warn(
    'SKIPPED: the login check needs PostgreSQL server programs (initdb, postgres); none in /usr/lib/postgresql/*/bin, on PATH or in SANDBOX_PG_BIN',
  );
}

(bin ? describe : describe.skip)(
  'the sandbox database server: CloudNative-PG bootstrap and the login check',
  () => {
    let server: DatabaseServer;
    let kube: KubernetesStandIn;
    let ssm: SsmStandIn;
    let platform: PlatformSimulator;
    const logged: string[] = [];

    beforeAll(async () => {
      server = await DatabaseServer.start();
      kube = await KubernetesStandIn.start();
      ssm = await SsmStandIn.start();
      platform = new PlatformSimulator({
        kube,
        ssm,
        database: server,
        log: m => logged.push(m),
      });
    });
    afterAll(async () => {
      await platform?.stop();
      await Promise.all([kube?.stop(), ssm?.stop(), server?.stop()]);
    });

    async function create(request: DatabaseRequest, username: string) {
      const password = `pw-${request.name}-${'x'.repeat(32)}`;
      ssm.seed(`/zerotouch/dev/${request.service}/postgres/user`, username);
      ssm.seed(`/zerotouch/dev/${request.service}/postgres/password`, password);
      const files = renderManifestFiles(request);
      kube.apply(
        parse(files['externalsecret.yaml']),
        parse(files['postgresinstance.yaml']),
      );
      await platform.reconcile();
      return password;
    }

    const phase = (namespace: string, name: string) =>
      (kube.get('postgresql.cnpg.io/v1', 'Cluster', namespace, name) as any)
        ?.status?.phase;

    /** The connection secret's five keys, as an application's env would get them. */
    function connectionSecret(namespace: string, name: string) {
      const secret = kube.get('v1', 'Secret', namespace, name) as any;
      expect(Object.keys(secret.data).sort()).toEqual([
        'database',
        'endpoint',
        'password',
        'port',
        'username',
      ]);
      const value = (k: string) =>
        Buffer.from(secret.data[k], 'base64').toString('utf8');
      return {
        host: value('endpoint'),
        port: Number(value('port')),
        database: value('database'),
        user: value('username'),
        password: value('password'),
      };
    }

    /** Logs in and runs a query; resolves with its row, or with the error's SQLSTATE. */
    async function login(config: ReturnType<typeof connectionSecret>) {
      const client = pgClient(config);
      client.on('error', () => {});
      try {
        await client.connect();
        const { rows } = await client.query(
          'select current_user, current_database()',
        );
        return rows[0];
      } catch (e: any) {
        return { refused: e.code ?? e.message };
      } finally {
        await client.end().catch(() => {});
      }
    }

    it('a healthy database accepts the connection secret, a wrong password is refused', async () => {
      await create(orders, 'orders_app');
      expect(phase('orders', 'orders-db')).toBe('Cluster in healthy state');
      const config = connectionSecret('orders', 'orders-postgres');
      expect([config.host, config.port]).toEqual(['127.0.0.1', server.port]);
      expect(await login(config)).toEqual({
        current_user: 'orders_app',
        current_database: 'orders',
      });
      expect(
        await login({ ...config, password: `${config.password}x` }),
      ).toEqual({ refused: '28P01' });
      expect(logged.join('\n')).toContain(
        "CloudNative-PG orders/orders-db: database 'orders' owned by 'orders_app', password from the secret",
      );
    });

    it('owner ≠ username: the role exists without a password, the cluster reports healthy, and the login is refused', async () => {
      const password = await create(billing, 'billing-app');
      expect(phase('billing', 'billing-db')).toBe('Cluster in healthy state');
      const config = connectionSecret('billing', 'billing-postgres');
      expect(config.user).toBe('billing-app');
      expect(await login(config)).toEqual({ refused: '28P01' });
      // nor as the owner CNPG made: it has no password
      expect(await login({ ...config, user: 'billing_app' })).toEqual({
        refused: '28P01',
      });
      const lines = logged.filter(l => l.includes('billing/billing-db'));
      expect(lines).toEqual([
        "CloudNative-PG billing/billing-db: database 'billing' owned by 'billing_app', but no password set: wrong username 'billing-app' in secret, expected 'billing_app' (the application cannot log in)",
      ]);
      expect(logged.filter(l => l.includes(password))).toEqual([]);
    });

    it('a second cluster with a database name already taken shares that database on the one server, and logs in', async () => {
      // as the browser test's billing-dev next to the seeded billing (both databases 'billing')
      await create(
        {
          ...billing,
          namespace: 'billing-dev',
          service: 'billing-dev',
          databaseOwner: 'billing',
        },
        'billing',
      );
      const config = connectionSecret('billing-dev', 'billing-dev-postgres');
      expect(await login(config)).toEqual({
        current_user: 'billing',
        current_database: 'billing',
      });
      expect(
        await login(connectionSecret('billing', 'billing-postgres')),
      ).toEqual({ refused: '28P01' });
      expect(logged.filter(l => l.includes('billing-dev/billing-db'))).toEqual([
        `CloudNative-PG billing-dev/billing-db: database 'billing' owned by 'billing', password from the secret, on 127.0.0.1:${server.port} (shares the database 'billing' of billing/billing-db: the sandbox has one PostgreSQL server for all its clusters)`,
      ]);
    });

    it('a changed secret is applied again, as CNPG’s instance manager does', async () => {
      const before = connectionSecret('orders', 'orders-postgres');
      ssm.seed('/zerotouch/dev/orders/postgres/password', 'n'.repeat(40));
      await platform.reconcile();
      const after = connectionSecret('orders', 'orders-postgres');
      expect(after.password).toBe('n'.repeat(40));
      expect(await login(after)).toMatchObject({ current_user: 'orders_app' });
      expect(await login(before)).toEqual({ refused: '28P01' });
    });

    it('names are quoted as CNPG quotes them: SQL in a name stays a name; names the server keeps are refused before any SQL', async () => {
      const evilOwner = 'x" superuser; --';
      const password = 'y'.repeat(40);
      kube.apply({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'evil-credentials', namespace: 'evil' },
        type: 'kubernetes.io/basic-auth',
        data: {
          username: Buffer.from(evilOwner).toString('base64'),
          password: Buffer.from(password).toString('base64'),
        },
      } as any);
      kube.apply({
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Cluster',
        metadata: { name: 'evil-db', namespace: 'evil' },
        spec: {
          instances: 1,
          bootstrap: {
            initdb: {
              database: 'evil',
              owner: evilOwner,
              secret: { name: 'evil-credentials' },
            },
          },
        },
      } as any);
      await platform.reconcile();
      expect(phase('evil', 'evil-db')).toBe('Cluster in healthy state');
      // the role is that very name, and no superuser
      const client = pgClient({
        host: '127.0.0.1',
        port: server.port,
        user: evilOwner,
        password,
        database: 'evil',
      });
      await client.connect();
      try {
        const { rows } = await client.query(
          'select current_user as name, rolsuper from pg_roles where rolname = current_user',
        );
        expect(rows[0]).toEqual({ name: evilOwner, rolsuper: false });
      } finally {
        await client.end();
      }
      // PostgreSQL's reserved prefix and a name it would cut: refused, the cluster stays unready
      for (const [name, owner] of [
        ['pg-db', 'pg_owner'],
        ['long-db', 'o'.repeat(64)],
      ]) {
        kube.apply({
          apiVersion: 'postgresql.cnpg.io/v1',
          kind: 'Cluster',
          metadata: { name, namespace: 'evil' },
          spec: {
            instances: 1,
            bootstrap: {
              initdb: {
                database: name.replace('-', '_'),
                owner,
                secret: { name: 'evil-credentials' },
              },
            },
          },
        } as any);
      }
      await platform.reconcile();
      expect(phase('evil', 'pg-db')).toBe('Setting up primary');
      expect(phase('evil', 'long-db')).toBe('Setting up primary');
      expect(logged.join('\n')).toMatch(
        /CloudNative-PG evil\/pg-db: could not make database 'pg_db'.*role name "pg_owner" is reserved/,
      );
      expect(logged.join('\n')).toMatch(
        /CloudNative-PG evil\/long-db: could not make database 'long_db'.*longer than 63 bytes/,
      );
      // the server's own superuser is never the owner CNPG gives a password to
      await expect(
        server.bootstrap({
          cluster: 'evil/root',
          database: 'rooted',
          owner: 'postgres',
          credentials: { username: 'postgres', password: 'z'.repeat(40) },
        }),
      ).rejects.toThrow(/reserved/);
    });

    it('a port taken between finding it free and binding it: the start tries another one', async () => {
      // another process holds a port, as a test running beside this one may
      const holder = net.createServer();
      await new Promise<void>(r => holder.listen(0, '127.0.0.1', () => r()));
      const taken = (holder.address() as net.AddressInfo).port;
      const ports: number[] = [];
      let second: DatabaseServer | undefined;
      try {
        second = await DatabaseServer.start({
          pickPort: async () => {
            const port = ports.length === 0 ? taken : await freePort();
            ports.push(port);
            return port;
          },
        });
        expect(ports).toHaveLength(2);
        expect(second.port).toBe(ports[1]);
        expect(second.port).not.toBe(taken);
        // a port given on purpose is not swapped for another
        await expect(DatabaseServer.start({ port: taken })).rejects.toThrow(
          new RegExp(`did not start on 127\\.0\\.0\\.1:${taken}`),
        );
      } finally {
        await second?.stop();
        await new Promise(r => holder.close(r));
      }
    });

    it('stop drops what it made and shuts the server down', async () => {
      const port = server.port;
      await server.stop();
      const open = await new Promise<boolean>(resolve => {
        const socket = net.connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
      expect(open).toBe(false);
    });
  },
);
