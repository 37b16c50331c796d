import { ReactNode, useState } from 'react';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { configApiRef, useApi, useRouteRef } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  EmptyState,
  Link,
  LinkButton,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import {
  Box,
  Button,
  IconButton,
  Menu,
  MenuItem,
  Tooltip,
  Typography,
} from '@material-ui/core';
import RefreshIcon from '@material-ui/icons/Refresh';
import {
  ClusterError,
  DatabaseItem,
  DatabaseRequestStatus,
  DatabasesResponse,
  ENTITY_REF_ANNOTATION,
  POSTGRES_INSTANCES_ANNOTATION,
  postgresDatabaseChangePermission,
  postgresDatabaseCreatePermission,
} from '@bizmatters/plugin-postgres-common';
import { newDatabaseRouteRef } from '../routes';

/** The template "New database" opens unless `postgres.entityPage.template` names another. */
const DEFAULT_TEMPLATE = 'template:default/new-postgres-db';
/** The template of the "Change" menu unless `postgres.entityPage.changeTemplate` names another. */
const DEFAULT_CHANGE_TEMPLATE = 'template:default/change-postgres-db';

/**
 * A link to a template's page in the scaffolder with its form filled in, through the app's
 * binding of `newDatabase`; undefined when the app binds it nowhere. The template is the one
 * the config key names, else the default.
 */
function useTemplateLink(
  configKey: 'template' | 'changeTemplate',
  formData: Record<string, unknown>,
): string | undefined {
  const link = useRouteRef(newDatabaseRouteRef);
  const config = useApi(configApiRef);
  if (!link) return undefined;
  const template = parseEntityRef(
    config.getOptionalString(`postgres.entityPage.${configKey}`) ??
      (configKey === 'template' ? DEFAULT_TEMPLATE : DEFAULT_CHANGE_TEMPLATE),
    { defaultKind: 'template', defaultNamespace: 'default' },
  );
  return `${link({
    namespace: template.namespace,
    templateName: template.name,
  })}?formData=${encodeURIComponent(JSON.stringify(formData))}`;
}

/**
 * "New database", for those who may create one for this entity (`postgres.database.create`),
 * opening the template with the entity already chosen.
 */
export function NewDatabaseButton({
  entity,
  size,
}: {
  entity: Entity;
  size?: 'small' | 'medium';
}) {
  const entityRef = stringifyEntityRef(entity);
  const { allowed } = usePermission({
    permission: postgresDatabaseCreatePermission,
    resourceRef: entityRef,
  });
  const to = useTemplateLink('template', { component: entityRef });
  // a database belongs to a Component (the actions refuse any other kind): no "New database"
  // on a database Resource's own page, nor on a System
  if (!allowed || !to || entity.kind.toLocaleLowerCase('en-US') !== 'component')
    return null;
  return (
    <LinkButton to={to} variant="contained" color="primary" size={size}>
      New database
    </LinkButton>
  );
}

/** The "Change" menu's operations, as the change template names them. */
const OPERATIONS = [
  { operation: 'growStorage', label: 'Grow storage' },
  { operation: 'changeSize', label: 'Change size' },
  { operation: 'upgradeVersion', label: 'Upgrade PostgreSQL' },
  { operation: 'decommission', label: 'Decommission…' },
  { operation: 'repairCredentials', label: 'Repair credentials' },
] as const;

type ChangeOperation = (typeof OPERATIONS)[number]['operation'];

/**
 * Whether the menu offers an operation for the database: a repair of the credentials only when
 * their username differs from the owner the claim names (the state whose hint names it).
 */
export function offersOperation(
  item: DatabaseItem,
  operation: ChangeOperation,
): boolean {
  if (operation !== 'repairCredentials') return true;
  return item.health.steps.some(
    s => s.id === 'credentialsSecret' && s.reason === 'OwnerMismatch',
  );
}

/** What a "Change" menu item puts in the change template's form. */
export function changeLinkValues(
  item: DatabaseItem,
  component: string,
  operation: ChangeOperation,
): Record<string, unknown> {
  // the database only: today's values are not the new ones (a form starting from them is red
  // before anything is typed); its fields read today's values and say them
  return { component, namespace: item.namespace, name: item.name, operation };
}

/**
 * A database's "Change" menu, for those who may change the databases of the component its
 * claim names (`postgres.database.change`): each operation opens the change template with the
 * component, the database and its current values filled in.
 */
export function ChangeDatabaseMenu({
  item,
  entityRef,
}: {
  item: DatabaseItem;
  /** The entity whose page this is; the claim's own component is used when it names one. */
  entityRef: string;
}) {
  const component = item.entityRef ?? entityRef;
  const { allowed } = usePermission({
    permission: postgresDatabaseChangePermission,
    resourceRef: component,
  });
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const links = {
    growStorage: useTemplateLink(
      'changeTemplate',
      changeLinkValues(item, component, 'growStorage'),
    ),
    changeSize: useTemplateLink(
      'changeTemplate',
      changeLinkValues(item, component, 'changeSize'),
    ),
    upgradeVersion: useTemplateLink(
      'changeTemplate',
      changeLinkValues(item, component, 'upgradeVersion'),
    ),
    decommission: useTemplateLink(
      'changeTemplate',
      changeLinkValues(item, component, 'decommission'),
    ),
    repairCredentials: useTemplateLink(
      'changeTemplate',
      changeLinkValues(item, component, 'repairCredentials'),
    ),
  };
  if (!allowed || !links.growStorage) return null;
  const menuId = `change-${item.cluster}-${item.namespace}-${item.name}`;
  return (
    <>
      <Button
        size="small"
        variant="outlined"
        aria-haspopup="true"
        aria-controls={menuId}
        onClick={e => setAnchor(e.currentTarget)}
      >
        Change…
      </Button>
      <Menu
        id={menuId}
        anchorEl={anchor}
        keepMounted
        open={Boolean(anchor)}
        onClose={() => setAnchor(null)}
      >
        {OPERATIONS.filter(({ operation }) =>
          offersOperation(item, operation),
        ).map(({ operation, label }) => (
          <MenuItem
            key={operation}
            component={Link}
            to={links[operation]!}
            onClick={() => setAnchor(null)}
          >
            {label}
          </MenuItem>
        ))}
      </Menu>
    </>
  );
}

/** Clusters that could not be read, as warnings: never a blank card. */
export function ClusterErrors({ errors }: { errors: ClusterError[] }) {
  if (!errors.length) return null;
  return (
    <Box mb={2}>
      <WarningPanel
        severity="warning"
        title={
          errors.length === 1
            ? `Not everything could be shown${
                errors[0].cluster ? ` from cluster ${errors[0].cluster}` : ''
              }`
            : `Not everything could be shown (${errors.length} notes)`
        }
        defaultExpanded
      >
        <ul>
          {errors.map((e, i) => (
            <li key={i}>
              <Typography variant="body2">
                {e.cluster ? <strong>{e.cluster}: </strong> : null}
                {e.message}
              </Typography>
            </li>
          ))}
        </ul>
      </WarningPanel>
    </Box>
  );
}

/** How to link databases to the entity, when none are found. */
export function NoDatabases({ entityName }: { entityName: string }) {
  return (
    <EmptyState
      missing="data"
      title="No PostgreSQL databases found"
      description={
        <>
          Databases created with the “New Postgres DB” template appear here by
          themselves: their PostgresInstance carries the label{' '}
          <code>backstage.io/kubernetes-id: {entityName}</code> and names this
          entity in its annotation <code>{ENTITY_REF_ANNOTATION}</code>. To show
          others, give them both, or list them in this entity’s annotation{' '}
          <code>
            {POSTGRES_INSTANCES_ANNOTATION}: "[cluster/]namespace/name, …"
          </code>{' '}
          (a claim is shown only where it names this entity).
        </>
      }
    />
  );
}

export function RefreshButton({
  onClick,
  loading,
}: {
  onClick: () => void;
  loading?: boolean;
}) {
  return (
    <Tooltip title="Refresh">
      <span>
        <IconButton
          aria-label="Refresh"
          onClick={onClick}
          disabled={loading}
          size="small"
        >
          <RefreshIcon />
        </IconButton>
      </span>
    </Tooltip>
  );
}

export function instancesText(item: DatabaseItem): string {
  const s = item.clusterStatus;
  if (!s || s.instances === undefined) return '–';
  return `${s.readyInstances ?? 0}/${s.instances}`;
}

/** True for the backend's answer to a caller who may not read this entity's databases. */
export function isNotAllowed(error: Error): boolean {
  const e = error as Error & {
    statusCode?: number;
    response?: { status?: number };
  };
  return (
    e.name === 'NotAllowedError' ||
    e.statusCode === 403 ||
    e.response?.status === 403
  );
}

/** What a caller who may not see an entity's databases is told: who may, and whom to ask. */
export function DatabasesNotAllowed({ entityName }: { entityName: string }) {
  return (
    <EmptyState
      missing="info"
      title="You may not see these databases"
      description={
        <>
          Only the owners of <strong>{entityName}</strong> (and the platform
          team) see the health of its PostgreSQL databases, and only its owners
          can create one for it. Ask the team that owns {entityName} if you need
          access.
        </>
      }
    />
  );
}

/**
 * The states both views share: an error panel, progress, per-cluster warnings, the empty
 * state; `requests` renders the requests whose database is not in a cluster yet, `children`
 * the databases that answered.
 */
export function DatabasesState(props: {
  value?: DatabasesResponse;
  error?: Error;
  entityName: string;
  children: (items: DatabaseItem[]) => ReactNode;
  requests?: (requests: DatabaseRequestStatus[]) => ReactNode;
}) {
  const { value, error, entityName, children } = props;
  if (error && isNotAllowed(error))
    return <DatabasesNotAllowed entityName={entityName} />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value) return <Progress />;
  const requests = value.requests ?? [];
  return (
    <>
      <ClusterErrors errors={value.errors} />
      {requests.length > 0 && props.requests ? props.requests(requests) : null}
      {value.items.length === 0 &&
      value.errors.length === 0 &&
      requests.length === 0 ? (
        <NoDatabases entityName={entityName} />
      ) : null}
      {value.items.length > 0 ? children(value.items) : null}
    </>
  );
}
