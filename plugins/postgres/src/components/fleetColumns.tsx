/* The fleet page's table: its columns and cells. */
import { parseEntityRef } from '@backstage/catalog-model';
import { useRouteRef } from '@backstage/core-plugin-api';
import { Link, TableColumn } from '@backstage/core-components';
import {
  entityRouteParams,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { Typography } from '@material-ui/core';
import {
  DatabaseItem,
  databaseResourceRef,
} from '@bizmatters/plugin-postgres-common';
import { VerdictStatus } from './Verdict';
import { failingSummary } from '@bizmatters/plugin-postgres-common';
import { instancesText } from './shared';
import { RecoverabilityStatus } from './Recoverability';

/**
 * An entity ref as people read it: without the namespace `default`, and without the kind the
 * column implies (`group:default/team-a` as `team-a` among owners, `component:default/orders`
 * as `orders` among entities).
 */
export function shortRef(ref: string, impliedKind: string): string {
  const { kind, namespace, name } = parseEntityRef(ref);
  const where = namespace === 'default' ? name : `${namespace}/${name}`;
  return kind === impliedKind ? where : `${kind}:${where}`;
}

/** A table row: a fresh object per render of the data (the table writes its own state into rows). */
export interface Row {
  item: DatabaseItem;
}

export function EntityCell({ entityRef }: { entityRef?: string }) {
  const entityRoute = useRouteRef(entityRouteRef);
  if (!entityRef) {
    return (
      <Typography variant="body2" color="textSecondary">
        names no entity
      </Typography>
    );
  }
  return (
    <Link to={entityRoute(entityRouteParams(entityRef))} title={entityRef}>
      {shortRef(entityRef, 'component')}
    </Link>
  );
}

/** The database's name, linked to its own Resource entity (made by the catalog provider). */
function DatabaseCell({ item }: { item: DatabaseItem }) {
  const entityRoute = useRouteRef(entityRouteRef);
  const resourceRef = databaseResourceRef(item);
  return (
    <>
      <Typography variant="body2">
        <Link
          to={entityRoute(entityRouteParams(resourceRef))}
          title={resourceRef}
        >
          {item.name}
        </Link>
      </Typography>
      <Typography variant="caption" color="textSecondary">
        {item.cluster} · {item.namespace}
      </Typography>
    </>
  );
}

/** The failing hop and what to do, in two lines at most; the whole text on hover. */
function Problem({ item }: { item: DatabaseItem }) {
  const summary = failingSummary(item);
  if (!summary) return null;
  return (
    <Typography
      variant="caption"
      color="textSecondary"
      component="div"
      title={summary}
      style={{
        maxWidth: 420,
        display: '-webkit-box',
        WebkitLineClamp: 2,
        WebkitBoxOrient: 'vertical',
        overflow: 'hidden',
      }}
    >
      {summary}
    </Typography>
  );
}

/** Short values keep to one line; the failing hop takes the room. */
const NO_WRAP = { whiteSpace: 'nowrap' } as const;

export const columns: TableColumn<Row>[] = [
  {
    title: 'Database',
    field: 'item.name',
    highlight: true,
    render: ({ item }) => <DatabaseCell item={item} />,
  },
  {
    title: 'Status',
    field: 'item.health.verdict',
    width: '36%',
    render: ({ item }) => (
      <>
        <VerdictStatus verdict={item.health.verdict} />
        <Problem item={item} />
      </>
    ),
  },
  {
    title: 'Component',
    field: 'item.entityRef',
    render: ({ item }) => <EntityCell entityRef={item.entityRef} />,
  },
  {
    title: 'Owner',
    cellStyle: NO_WRAP,
    field: 'item.owner',
    render: ({ item }) => (item.owner ? shortRef(item.owner, 'group') : '–'),
  },
  {
    title: 'Version',
    cellStyle: NO_WRAP,
    field: 'item.spec.version',
    render: ({ item }) => item.spec.version ?? '–',
  },
  {
    title: 'Size',
    cellStyle: NO_WRAP,
    field: 'item.spec.size',
    render: ({ item }) => item.spec.size ?? '–',
  },
  {
    title: 'Ready',
    cellStyle: NO_WRAP,
    sorting: false,
    render: ({ item }) => instancesText(item),
  },
  {
    title: 'Recoverability',
    cellStyle: NO_WRAP,
    field: 'item.recoverability.state',
    render: ({ item }) =>
      item.recoverability ? (
        <RecoverabilityStatus r={item.recoverability} />
      ) : (
        '–'
      ),
  },
];
