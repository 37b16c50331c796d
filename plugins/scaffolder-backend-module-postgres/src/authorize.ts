import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { postgresDatabaseCreatePermission } from '@bizmatters/plugin-postgres-common';

/** What the actions need to reach the catalog and the permission framework. */
export interface CreationAuthorizer {
  catalog: CatalogService;
  permissions: PermissionsService;
}

/** A creation the initiator may make, with what the catalog says about the component. */
export interface AuthorizedCreation {
  /** Full ref of the component, e.g. `component:default/payments`. */
  entityRef: string;
  /** The component's owner as the catalog has it (full ref, usually a group). */
  owner?: string;
  /** The initiator's user entity ref. */
  initiator: string;
}

/** The owner of an entity as the catalog resolved it (the ownedBy relation), else its spec.owner. */
function ownerOf(entity: Entity): string | undefined {
  const relation = entity.relations?.find(r => r.type === RELATION_OWNED_BY);
  const raw =
    relation?.targetRef ??
    (typeof entity.spec?.owner === 'string' ? entity.spec.owner : undefined);
  if (!raw) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(raw, {
        defaultKind: 'group',
        defaultNamespace: entity.metadata.namespace ?? 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}

/** What is being authorized: the permission and, for messages, what it allows. */
export interface ComponentAction {
  permission: ResourcePermission<'catalog-entity'>;
  /** E.g. "create a database for": completes "<user> may not … <component>". */
  doing: string;
}

const CREATE: ComponentAction = {
  permission: postgresDatabaseCreatePermission,
  doing: 'create a database for',
};

/**
 * The one check every action makes before any side effect: the component exists in the catalog
 * for the task's initiator, and the initiator holds the permission (`postgres.database.create`
 * unless another is given) on it. Throws NotFoundError or NotAllowedError naming the component
 * otherwise. Runs in dry run too.
 */
export async function authorizeForComponent(
  deps: CreationAuthorizer,
  component: string,
  credentials: BackstageCredentials,
  action: ComponentAction = CREATE,
): Promise<AuthorizedCreation> {
  let entityRef: string;
  try {
    entityRef = stringifyEntityRef(
      parseEntityRef(component, {
        defaultKind: 'component',
        defaultNamespace: 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch {
    throw new InputError(
      `component: '${component}' is not an entity reference; use the form 'component:default/my-service'.`,
    );
  }

  const principal = credentials.principal as {
    type: string;
    userEntityRef?: string;
  };
  if (principal.type !== 'user' || !principal.userEntityRef) {
    throw new NotAllowedError(
      `Only a signed-in user may ${action.doing} ${entityRef}; this task was started by a ${principal.type} principal. Nothing was written.`,
    );
  }
  const initiator = principal.userEntityRef.toLocaleLowerCase('en-US');

  const entity = await deps.catalog.getEntityByRef(entityRef, {
    credentials,
  });
  if (!entity) {
    throw new NotFoundError(
      `The component ${entityRef} is not in the catalog (or you may not see it). Choose a registered component; nothing was written.`,
    );
  }
  if (entity.kind.toLocaleLowerCase('en-US') !== 'component') {
    throw new InputError(
      `component: ${entityRef} is a ${entity.kind}; a database belongs to a Component.`,
    );
  }
  const owner = ownerOf(entity);

  const [decision] = await deps.permissions.authorize(
    [{ permission: action.permission, resourceRef: entityRef }],
    { credentials },
  );
  if (decision?.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(
      `${initiator} may not ${action.doing} ${entityRef}${
        owner ? ` (owned by ${owner})` : ''
      }: only its owners may (permission ${
        action.permission.name
      }). Nothing was written.`,
    );
  }

  return {
    entityRef,
    owner,
    initiator,
  };
}
