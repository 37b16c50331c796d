import http from 'http';
import { AddressInfo } from 'net';
import { parse } from 'yaml';
import { mockServices } from '@backstage/backend-test-utils';
import { mockActionContext } from '../__testUtils__/actionDeps';
import { createPostgresRequestRegisterAction } from './requestRegister';
import { examples } from './requestRegister.examples';

/** A stand-in for the postgres backend's requests route: records what it got, answers `reply`. */
async function postgresBackend(reply: { status: number; body: unknown }) {
  const received: Array<{ url?: string; auth?: string; body: any }> = [];
  const server = http.createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    received.push({
      url: req.url,
      auth: req.headers.authorization,
      body: JSON.parse(text),
    });
    res.writeHead(reply.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(reply.body));
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { received, url, stop: () => server.close() };
}

const input = {
  component: 'component:default/agent-executor',
  namespace: 'databases',
  name: 'agent-executor-db',
  repoUrl: 'github.com?owner=platform&repo=gitops',
  pullRequestNumber: 7,
};

function action(url: string) {
  return createPostgresRequestRegisterAction({
    discovery: {
      getBaseUrl: async () => url,
      getExternalBaseUrl: async () => url,
    },
    auth: mockServices.auth({ pluginId: 'scaffolder' }),
  });
}

describe('postgres:request:register', () => {
  it("posts the claim and pull request to the entity's requests, on behalf of the initiator", async () => {
    const backend = await postgresBackend({
      status: 201,
      body: { id: 'req-1' },
    });
    try {
      const { ctx } = mockActionContext({ input, user: 'user:default/alice' });
      await action(backend.url).handler(ctx as any);
      expect(backend.received).toEqual([
        {
          url: '/v1/entities/component/default/agent-executor/requests',
          auth: expect.stringMatching(/^Bearer .+/),
          body: {
            namespace: 'databases',
            name: 'agent-executor-db',
            repoUrl: input.repoUrl,
            pullRequestNumber: 7,
          },
        },
      ]);
      // the token speaks for the user who ran the task
      expect(backend.received[0].auth).toContain('user:default/alice');
      expect(ctx.output).toHaveBeenCalledWith('requestId', 'req-1');
    } finally {
      backend.stop();
    }
  });

  it("fails the step with the backend's reason", async () => {
    const backend = await postgresBackend({
      status: 403,
      body: {
        error: {
          name: 'NotAllowedError',
          message: 'Not allowed: postgres.database.create',
        },
        response: { statusCode: 403 },
      },
    });
    try {
      const { ctx } = mockActionContext({ input, user: 'user:default/alice' });
      await expect(action(backend.url).handler(ctx as any)).rejects.toThrow(
        /Not allowed: postgres.database.create/,
      );
      expect(ctx.output).not.toHaveBeenCalled();
    } finally {
      backend.stop();
    }
  });

  it('a dry run registers nothing', async () => {
    const backend = await postgresBackend({ status: 201, body: { id: 'x' } });
    try {
      const { ctx } = mockActionContext({
        input,
        user: 'user:default/alice',
        isDryRun: true,
      });
      await action(backend.url).handler(ctx as any);
      expect(backend.received).toEqual([]);
    } finally {
      backend.stop();
    }
  });

  it('its examples parse and name the action with a complete input', () => {
    for (const example of examples) {
      const step = parse(example.example).steps[0];
      expect(step.action).toBe('postgres:request:register');
      expect(Object.keys(step.input).sort()).toEqual(Object.keys(input).sort());
    }
  });
});
