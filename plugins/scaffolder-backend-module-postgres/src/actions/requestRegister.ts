import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { ForwardedError, ResponseError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { auditNote } from './guard';
import { examples } from './requestRegister.examples';

export const REQUEST_REGISTER_ACTION_ID = 'postgres:request:register';

/**
 * `postgres:request:register`: tells the postgres backend (plugin to plugin, on behalf of the
 * task's initiator: the token's actor is the scaffolder) that a database was requested, changed
 * or decommissioned by a pull request, so that the component's Databases tab shows it on the
 * database's record from now on. The backend checks that the initiator may create a database
 * for the component and binds the request to its own pull request: in an allowed GitOps
 * repository, on the database's branch, adding (editing, deleting) that claim naming the
 * component. Registering the same pull request again (a retried task) changes nothing.
 */
export function createPostgresRequestRegisterAction(options: {
  discovery: DiscoveryService;
  auth: AuthService;
}) {
  const { discovery, auth } = options;
  return createTemplateAction({
    id: REQUEST_REGISTER_ACTION_ID,
    description:
      "Registers a database request (its claim and GitOps pull request: a creation, a change or a decommission) with the postgres backend, so that the component's Databases tab shows it on the database's record.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        component: z =>
          z.string().describe('The entity the database is for (an entity ref)'),
        namespace: z => z.string().describe("The claim's namespace"),
        name: z => z.string().describe("The claim's name"),
        repoUrl: z =>
          z
            .string()
            .describe(
              'The GitOps repository of the pull request (host?owner=o&repo=r)',
            ),
        pullRequestNumber: z =>
          z
            .number()
            .int()
            .positive()
            .describe(
              "The pull request's number (publish:github:pull-request's pullRequestNumber)",
            ),
      },
      output: {
        requestId: z =>
          z.string().describe('The id of the request in the postgres backend'),
      },
    },
    async handler(ctx) {
      const { component, namespace, name, repoUrl, pullRequestNumber } =
        ctx.input;
      const ref = parseEntityRef(component, {
        defaultKind: 'component',
        defaultNamespace: 'default',
      });
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would register the request for ${namespace}/${name} (pull request #${pullRequestNumber}) on ${component}`,
        );
        ctx.output('requestId', 'dry-run');
        return;
      }
      const { token } = await auth.getPluginRequestToken({
        onBehalfOf: await ctx.getInitiatorCredentials(),
        targetPluginId: 'postgres',
      });
      const base = await discovery.getBaseUrl('postgres');
      const path = [ref.kind, ref.namespace, ref.name]
        .map(encodeURIComponent)
        .join('/');
      const res = await fetch(`${base}/v1/entities/${path}/requests`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ namespace, name, repoUrl, pullRequestNumber }),
        signal: AbortSignal.timeout(30_000),
      });
      if (!res.ok) {
        const e = await ResponseError.fromResponse(res);
        throw new ForwardedError(
          `The postgres backend did not register the request for ${namespace}/${name} (pull request #${pullRequestNumber} is open): ${e.body.error.message}`,
          e,
        );
      }
      const request = (await res.json()) as { id: string };
      ctx.logger.info(
        `The request for ${namespace}/${name} shows on ${component} (pull request #${pullRequestNumber})`,
      );
      auditNote(ctx, {
        claim: `${namespace}/${name}`,
        pullRequestNumber,
        requestId: request.id,
        decision: 'registered',
      });
      ctx.output('requestId', request.id);
    },
  });
}
