import { useMemo, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/core-plugin-api';
import {
  Content,
  ContentHeader,
  EmptyState,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
  Table,
  WarningPanel,
} from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import { Box, Grid } from '@material-ui/core';
import {
  DatabaseItem,
  DatabasesResponse,
  postgresFleetReadPermission,
  applyFleetFilters,
  applyRequestFilters,
  FleetFilters,
} from '@bizmatters/plugin-postgres-common';
import { postgresApiRef } from '../api/PostgresApi';
import { ClusterErrors, isNotAllowed, RefreshButton } from './shared';
import { columns, Row } from './fleetColumns';
import { FilterBar, FleetRequests, VerdictCounts } from './FleetFilterBar';

/** Rows per page unless the reader picks another size. */
const PAGE_SIZE = 25;

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
