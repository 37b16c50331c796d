import { ReactNode } from 'react';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  EmptyState,
  LinkButton,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { Box, IconButton, Tooltip, Typography } from '@material-ui/core';
import RefreshIcon from '@material-ui/icons/Refresh';
import {
  ClusterError,
  DatabaseItem,
  DatabaseRequestStatus,
  DatabasesResponse,
  ENTITY_REF_ANNOTATION,
  POSTGRES_INSTANCES_ANNOTATION,
  postgresDatabaseCreatePermission,
  STEP_TITLES,
} from '@bizmatters/plugin-postgres-common';

/** Where the curated template lives in the scaffolder. */
export const NEW_DATABASE_PATH = '/create/templates/default/new-postgres-db';

/**
 * "New database", for those who may create one for this entity (`postgres.database.create`),
 * opening the template with the entity already chosen.
 */
export function NewDatabaseButton({ entity }: { entity: Entity }) {
  const entityRef = stringifyEntityRef(entity);
  const { allowed } = usePermission({
    permission: postgresDatabaseCreatePermission,
    resourceRef: entityRef,
  });
  if (!allowed) return null;
  const formData = encodeURIComponent(JSON.stringify({ component: entityRef }));
  return (
    <LinkButton
      to={`${NEW_DATABASE_PATH}?formData=${formData}`}
      variant="contained"
      color="primary"
    >
      New database
    </LinkButton>
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

/** The failing hop of a database and its hint, in one line. */
export function failingSummary(item: DatabaseItem): string | undefined {
  const step = item.health.steps.find(s => s.id === item.health.failingStep);
  if (!step) return undefined;
  return `${STEP_TITLES[step.id]}: ${step.message}${
    step.hint ? ` — ${step.hint}` : ''
  }`;
}

export function instancesText(item: DatabaseItem): string {
  const s = item.clusterStatus;
  if (!s || s.instances === undefined) return '–';
  return `${s.readyInstances ?? 0}/${s.instances}`;
}

/** True for the backend's answer to a caller who may not read this entity's databases. */
function isNotAllowed(error: Error): boolean {
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
