import { useMemo, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { parseEntityRef } from '@backstage/catalog-model';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import {
  Content,
  ContentHeader,
  EmptyState,
  Header,
  Link,
  Page,
  Progress,
  ResponseErrorPanel,
  StatusPending,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import {
  entityRouteParams,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  Box,
  Button,
  Card,
  CardActionArea,
  Grid,
  List,
  ListItem,
  MenuItem,
  makeStyles,
  TextField,
  Typography,
} from '@material-ui/core';
import {
  DatabaseItem,
  DatabaseRequestStatus,
  databaseResourceRef,
  DatabasesResponse,
  postgresFleetReadPermission,
  Verdict,
} from '@bizmatters/plugin-postgres-common';
import { postgresApiRef } from '../api/PostgresApi';
import { VERDICT_LABELS, VerdictStatus } from './Verdict';
import {
  ClusterErrors,
  failingSummary,
  instancesText,
  isNotAllowed,
  RefreshButton,
} from './shared';
import { RequestText } from './Requests';
import {
  applyFleetFilters,
  applyRequestFilters,
  Facet,
  facetValues,
  FleetFilters,
  VERDICTS,
} from './fleetFilters';

/** Rows per page unless the reader picks another size. */
const PAGE_SIZE = 25;

const FACET_LABELS: Record<Facet, string> = {
  cluster: 'Cluster',
  namespace: 'Namespace',
  owner: 'Owner',
  version: 'Version',
};

/**
 * An entity ref as people read it: without the namespace `default`, and without the kind the
 * column implies (`group:default/team-a` as `team-a` among owners, `component:default/orders`
 * as `orders` among entities).
 */
function shortRef(ref: string, impliedKind: string): string {
  const { kind, namespace, name } = parseEntityRef(ref);
  const where = namespace === 'default' ? name : `${namespace}/${name}`;
  return kind === impliedKind ? where : `${kind}:${where}`;
}

/** A table row: a fresh object per render of the data (the table writes its own state into rows). */
interface Row {
  item: DatabaseItem;
}

function EntityCell({ entityRef }: { entityRef?: string }) {
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

const columns: TableColumn<Row>[] = [
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
];

/** The count of each verdict; a click filters by it (again: all verdicts). */
function VerdictCounts(props: {
  counts: Record<Verdict, number>;
  /** The open requests shown (their databases are in no cluster yet). */
  requested: number;
  selected?: Verdict;
  onSelect: (verdict: Verdict | undefined) => void;
}) {
  const { counts, requested, selected, onSelect } = props;
  return (
    <Grid container spacing={2} role="group" aria-label="Databases by verdict">
      <Grid item xs={6} sm={4} md={2}>
        <Card variant="outlined" aria-label={`${requested} Requested`}>
          <Box p={1.5}>
            <Typography variant="h4" component="p">
              {requested}
            </Typography>
            <StatusPending>Requested</StatusPending>
          </Box>
        </Card>
      </Grid>
      {VERDICTS.map(verdict => (
        <Grid item xs={6} sm={4} md={2} key={verdict}>
          <Card
            variant="outlined"
            style={
              selected === verdict ? { borderColor: 'currentColor' } : undefined
            }
          >
            <CardActionArea
              aria-pressed={selected === verdict}
              // the visible text, count first (a name that differs from it confuses speech input)
              aria-label={`${counts[verdict]} ${VERDICT_LABELS[verdict]}`}
              onClick={() =>
                onSelect(selected === verdict ? undefined : verdict)
              }
            >
              <Box p={1.5}>
                <Typography variant="h4" component="p">
                  {counts[verdict]}
                </Typography>
                {/* a space: the visible text reads "1 Healthy", as the button is named */}{' '}
                <VerdictStatus verdict={verdict} />
              </Box>
            </CardActionArea>
          </Card>
        </Grid>
      ))}
    </Grid>
  );
}

/**
 * The open requests: databases whose pull request is open, merged and waiting for Argo CD, or
 * closed without merge; each with its phase, pull request, who asked and when, and the entity
 * it was requested for. With `decommissioned`, the databases decommissioned lately (when and
 * by whom), apart.
 */
function FleetRequests({
  requests,
  decommissioned = false,
}: {
  requests: DatabaseRequestStatus[];
  decommissioned?: boolean;
}) {
  const id = decommissioned
    ? 'postgres-fleet-decommissioned'
    : 'postgres-fleet-requests';
  return (
    <Card variant="outlined">
      <Box p={2} pb={0}>
        <Typography variant="h6" component="h2" id={id}>
          {decommissioned ? 'Decommissioned databases' : 'Requested databases'}{' '}
          ({requests.length})
        </Typography>
        <Typography variant="body2" color="textSecondary">
          {decommissioned
            ? 'Gone from every cluster; listed until postgres.requests.keepDecommissionedDays have passed or an owner dismisses them.'
            : 'Their claims are in no cluster yet; each becomes a row below once its claim is read.'}
        </Typography>
      </Box>
      <List dense aria-labelledby={id}>
        {requests.map(request => (
          <ListItem key={request.id} divider>
            <RequestText request={request}>
              <EntityCell entityRef={request.entityRef} />
            </RequestText>
          </ListItem>
        ))}
      </List>
    </Card>
  );
}

const useFilterStyles = makeStyles(theme => ({
  // the outlined field's shrunk label in the secondary grey is below 4.5:1 on the page
  label: { color: theme.palette.text.primary },
}));

function FilterBar(props: {
  items: DatabaseItem[];
  /** The open requests: their namespaces are offered too. */
  requests: DatabaseRequestStatus[];
  filters: FleetFilters;
  onChange: (filters: FleetFilters) => void;
}) {
  const { items, requests, filters, onChange } = props;
  const classes = useFilterStyles();
  const options = useMemo(
    () =>
      Object.fromEntries(
        (Object.keys(FACET_LABELS) as Facet[]).map(f => [
          f,
          facetValues(items, f, requests),
        ]),
      ) as Record<Facet, string[]>,
    [items, requests],
  );
  const active = Object.values(filters).some(v => v !== undefined && v !== '');
  return (
    <Box display="flex" flexWrap="wrap" alignItems="center" style={{ gap: 16 }}>
      <TextField
        id="postgres-fleet-search"
        label="Search"
        placeholder="name, entity, owner…"
        variant="outlined"
        size="small"
        InputLabelProps={{ shrink: true, className: classes.label }}
        value={filters.text ?? ''}
        onChange={e => onChange({ ...filters, text: e.target.value })}
        style={{ minWidth: 260 }}
      />
      <TextField
        select
        id="postgres-fleet-verdict"
        label="Verdict"
        variant="outlined"
        size="small"
        SelectProps={{ displayEmpty: true }}
        InputLabelProps={{ shrink: true, className: classes.label }}
        value={filters.verdict ?? ''}
        onChange={e =>
          onChange({
            ...filters,
            verdict: (e.target.value as Verdict) || undefined,
          })
        }
        style={{ minWidth: 150 }}
      >
        <MenuItem value="">All</MenuItem>
        {VERDICTS.map(v => (
          <MenuItem key={v} value={v}>
            {VERDICT_LABELS[v]}
          </MenuItem>
        ))}
      </TextField>
      {(Object.keys(FACET_LABELS) as Facet[]).map(facet => (
        <TextField
          key={facet}
          select
          id={`postgres-fleet-${facet}`}
          label={FACET_LABELS[facet]}
          variant="outlined"
          size="small"
          SelectProps={{ displayEmpty: true }}
          InputLabelProps={{ shrink: true, className: classes.label }}
          value={filters[facet] ?? ''}
          onChange={e =>
            onChange({ ...filters, [facet]: e.target.value || undefined })
          }
          style={{ minWidth: 150 }}
        >
          <MenuItem value="">All</MenuItem>
          {options[facet].map(v => (
            <MenuItem key={v} value={v}>
              {facet === 'owner' ? shortRef(v, 'group') : v}
            </MenuItem>
          ))}
        </TextField>
      ))}
      {active ? (
        <Button size="small" onClick={() => onChange({})}>
          Clear filters
        </Button>
      ) : null}
    </Box>
  );
}

/** The fleet once it has answered: counts, filters, warnings and one page of rows. */
function Fleet({ value }: { value: DatabasesResponse }) {
  const [filters, setFilters] = useState<FleetFilters>({});
  // kept here: the table starts again (on its first page) at each new filter
  const [pageSize, setPageSize] = useState(PAGE_SIZE);
  // the searched text of each item, computed once per fleet answer
  const texts = useMemo(
    () => new WeakMap<DatabaseItem, string>(),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [value],
  );
  const { rows, counts } = useMemo(
    () => applyFleetFilters(value.items, filters, texts),
    [value, filters, texts],
  );
  const data = useMemo(() => rows.map(item => ({ item })), [rows]);
  const allRequests = useMemo(() => value.requests ?? [], [value]);
  const requests = useMemo(
    () => applyRequestFilters(allRequests, filters),
    [allRequests, filters],
  );
  const pendingRequests = requests.filter(r => r.phase !== 'decommissioned');
  const decommissioned = requests.filter(r => r.phase === 'decommissioned');
  if (
    value.items.length === 0 &&
    value.errors.length === 0 &&
    !allRequests.length
  ) {
    return (
      <EmptyState
        missing="data"
        title="No PostgreSQL databases yet"
        description="No cluster has a PostgresInstance claim that you may see. Databases made with the “New Postgres DB” template appear here once their pull request is merged."
      />
    );
  }
  return (
    <Grid container spacing={3} direction="column">
      {value.errors.length ? (
        <Grid item>
          <ClusterErrors errors={value.errors} />
        </Grid>
      ) : null}
      <Grid item>
        <VerdictCounts
          counts={counts}
          requested={pendingRequests.length}
          selected={filters.verdict}
          onSelect={verdict => setFilters({ ...filters, verdict })}
        />
      </Grid>
      <Grid item>
        <FilterBar
          items={value.items}
          requests={allRequests}
          filters={filters}
          onChange={setFilters}
        />
      </Grid>
      {pendingRequests.length ? (
        <Grid item>
          <FleetRequests requests={pendingRequests} />
        </Grid>
      ) : null}
      {decommissioned.length ? (
        <Grid item>
          <FleetRequests requests={decommissioned} decommissioned />
        </Grid>
      ) : null}
      <Grid item>
        <Table<Row>
          // a new filter starts on the first page
          key={JSON.stringify(filters)}
          title={`${rows.length} of ${value.items.length} databases`}
          columns={columns}
          data={data}
          options={{
            paging: true,
            pageSize,
            pageSizeOptions: [PAGE_SIZE, 50, 100],
            search: false,
            padding: 'dense',
            emptyRowsWhenPaging: false,
          }}
          onRowsPerPageChange={setPageSize}
          localization={{
            body: {
              emptyDataSourceMessage: value.items.length
                ? 'No database matches these filters'
                : 'No database could be read: see the clusters named above',
            },
          }}
        />
      </Grid>
    </Grid>
  );
}

/**
 * The platform team's page of every database in every cluster, and of every open request (pull
 * request open, merged and waiting for Argo CD, or abandoned): verdict counts and the count of
 * requests, filters by
 * verdict, cluster, namespace, owner and version, a text search, each row linking to its
 * database Resource entity and to the component its claim names. A caller without `postgres.fleet.read` sees the databases of the entities they may
 * read, and is told so.
 *
 * @public
 */
export function PostgresFleetPage() {
  const api = useApi(postgresApiRef);
  const state = useAsyncRetry(() => api.getFleet(), [api]);
  const fleet = usePermission({ permission: postgresFleetReadPermission });
  const { value, error, loading, retry } = state;
  let body;
  if (error && isNotAllowed(error)) {
    body = (
      <EmptyState
        missing="info"
        title="You may not see the fleet of databases"
        description="The fleet page shows the PostgreSQL databases of the entities you may read; the platform team (permission postgres.fleet.read) sees every one. Ask the platform team if you need access."
      />
    );
  } else if (error) {
    body = <ResponseErrorPanel error={error} />;
  } else if (!value) {
    body = <Progress />;
  } else {
    body = (
      <>
        {!fleet.loading && !fleet.allowed ? (
          <Box mb={2}>
            <WarningPanel
              severity="info"
              title="You see the databases of the entities you may read"
              message="The platform team (permission postgres.fleet.read) sees every database in every cluster."
            />
          </Box>
        ) : null}
        <Fleet value={value} />
      </>
    );
  }
  return (
    <Page themeId="tool">
      <Header
        title="Databases"
        subtitle="Every PostgreSQL database in every cluster, and whether it works"
      />
      <Content>
        <ContentHeader title="PostgreSQL fleet">
          <RefreshButton onClick={retry} loading={loading} />
        </ContentHeader>
        {body}
      </Content>
    </Page>
  );
}
