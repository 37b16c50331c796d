/* The fleet page's verdict counts, open requests and filter bar. */
import { useMemo } from 'react';
import { StatusPending } from '@backstage/core-components';
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
  Facet,
  facetValues,
  FleetFilters,
  Verdict,
  VERDICTS,
} from '@bizmatters/plugin-postgres-common';
import { VERDICT_LABELS, VerdictStatus } from './Verdict';
import { RequestText } from './Requests';
import { EntityCell, shortRef } from './fleetColumns';

const FACET_LABELS: Record<Facet, string> = {
  cluster: 'Cluster',
  namespace: 'Namespace',
  owner: 'Owner',
  version: 'Version',
  recoverability: 'Recoverability',
};

/** The count of each verdict; a click filters by it (again: all verdicts). */
export function VerdictCounts(props: {
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
export function FleetRequests({
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

export function FilterBar(props: {
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
