import { Fragment } from 'react';
import { InfoCard } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  Box,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import { EntityPostgresProps, useEntityDatabases } from './useEntityDatabases';
import { VerdictStatus } from './Verdict';
import { RecoverabilityStatus } from './Recoverability';
import { failingSummary } from '@bizmatters/plugin-postgres-common';
import {
  instancesText,
  NewDatabaseButton,
  RefreshButton,
  DatabasesState,
} from './shared';
import { PullRequestLink, RequestPhase, RequestTimelineText } from './Requests';

/**
 * Overview card: one row per database with its verdict, size, version and ready instances;
 * for an unhealthy one, the failing hop and what to do.
 *
 * @public
 */
export function EntityPostgresCard(props: EntityPostgresProps) {
  const { entity } = useEntity();
  const { value, loading, error, retry } = useEntityDatabases(props.refreshMs);
  const body = (
    <DatabasesState
      value={value}
      error={error}
      entityName={entity.metadata.title ?? entity.metadata.name}
      requests={requests => {
        // requests, then (apart) databases decommissioned lately
        const table = (label: string, records: typeof requests) =>
          records.length ? (
            <Table size="small" aria-label={label}>
              <TableBody>
                {records.map(request => (
                  <TableRow key={request.id}>
                    <TableCell style={{ whiteSpace: 'nowrap' }}>
                      <Typography variant="body2">{request.name}</Typography>
                      <Typography variant="caption" color="textSecondary">
                        {request.namespace}
                      </Typography>
                    </TableCell>
                    <TableCell>
                      <RequestPhase request={request} />
                      <Typography variant="caption" display="block">
                        <PullRequestLink request={request} />
                      </Typography>
                      <Typography
                        variant="caption"
                        color="textSecondary"
                        display="block"
                      >
                        <RequestTimelineText request={request} />
                      </Typography>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          ) : null;
        return (
          <>
            {table(
              'Requested databases',
              requests.filter(r => r.phase !== 'decommissioned'),
            )}
            {table(
              'Decommissioned databases',
              requests.filter(r => r.phase === 'decommissioned'),
            )}
          </>
        );
      }}
    >
      {items => (
        <Table size="small" aria-label="PostgreSQL databases">
          <TableHead>
            <TableRow>
              <TableCell>Database</TableCell>
              <TableCell>Status</TableCell>
              <TableCell>Size</TableCell>
              <TableCell>Version</TableCell>
              <TableCell>Ready</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {items.map(item => {
              const summary = failingSummary(item);
              const key = `${item.cluster}/${item.namespace}/${item.name}`;
              return (
                <Fragment key={key}>
                  <TableRow>
                    <TableCell>
                      <Typography variant="body2">{item.name}</Typography>
                      <Typography variant="caption" color="textSecondary">
                        {item.cluster} · {item.namespace}
                      </Typography>
                    </TableCell>
                    <TableCell>
                      <VerdictStatus verdict={item.health.verdict} />
                      {item.recoverability?.severity === 'warning' ? (
                        <div>
                          <RecoverabilityStatus r={item.recoverability} />
                        </div>
                      ) : null}
                    </TableCell>
                    <TableCell>{item.spec.size ?? '–'}</TableCell>
                    <TableCell>{item.spec.version ?? '–'}</TableCell>
                    <TableCell>{instancesText(item)}</TableCell>
                  </TableRow>
                  {item.request?.timeToHealthySeconds !== undefined ||
                  item.request?.changes?.length ||
                  item.request?.note ? (
                    <TableRow>
                      <TableCell colSpan={5}>
                        {item.request.phase === 'changing' ||
                        item.request.phase === 'decommissioning' ? (
                          <RequestPhase request={item.request} />
                        ) : null}
                        <Typography variant="caption" color="textSecondary">
                          <RequestTimelineText request={item.request} />
                        </Typography>
                      </TableCell>
                    </TableRow>
                  ) : null}
                  {summary ? (
                    <TableRow>
                      <TableCell colSpan={5}>
                        <Typography variant="body2" color="textSecondary">
                          {summary}
                        </Typography>
                      </TableCell>
                    </TableRow>
                  ) : null}
                </Fragment>
              );
            })}
          </TableBody>
        </Table>
      )}
    </DatabasesState>
  );
  return (
    <InfoCard
      title="PostgreSQL databases"
      action={
        <Box display="flex" alignItems="center" style={{ gap: 8 }}>
          <RefreshButton onClick={retry} loading={loading} />
          <NewDatabaseButton entity={entity} size="small" />
        </Box>
      }
    >
      {body}
    </InfoCard>
  );
}
