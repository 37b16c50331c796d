/* Can the data be got back: a status beside the health verdict, and the tab's section. */
import { useId } from 'react';
import {
  StatusAborted,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import {
  Box,
  List,
  ListItem,
  ListItemText,
  Typography,
} from '@material-ui/core';
import {
  BackupSummary,
  DatabaseItem,
  Recoverability,
  RECOVERABILITY_LABELS,
} from '@bizmatters/plugin-postgres-common';
import { age } from './RecentEvents';

/**
 * The recoverability in a few words with its dot: a warning where backups are required and do
 * not work, a grey line elsewhere, green when protected. Labelled for screen readers (the
 * status components are hidden from them).
 */
export function RecoverabilityStatus({ r }: { r: Recoverability }) {
  const label = RECOVERABILITY_LABELS[r.state];
  let dot = <StatusAborted>{label}</StatusAborted>;
  if (r.severity === 'ok') dot = <StatusOK>{label}</StatusOK>;
  else if (r.severity === 'warning')
    dot = <StatusWarning>{label}</StatusWarning>;
  return (
    <span role="img" aria-label={label}>
      {dot}
    </span>
  );
}

/** When a backup finished, or started while it runs. */
function backupTime(b: BackupSummary): string {
  if (b.stoppedAt) return ` · finished ${age(b.stoppedAt)}`;
  if (b.startedAt) return ` · started ${age(b.startedAt)}`;
  return '';
}

const when = (iso: string) => `${new Date(iso).toLocaleString()} (${age(iso)})`;

/**
 * The tab's "Backups and recovery": the state and what to do, the recovery window, the last
 * backups and the schedules.
 */
export function RecoverabilitySection({ item }: { item: DatabaseItem }) {
  const id = useId();
  const r = item.recoverability;
  if (!r) return null;
  return (
    <Box role="group" aria-labelledby={id}>
      <Box display="flex" alignItems="center" style={{ gap: 12 }}>
        <Typography variant="subtitle2" id={id}>
          Backups and recovery
        </Typography>
        <RecoverabilityStatus r={r} />
        {r.environment ? (
          <Typography variant="caption" color="textSecondary">
            {r.environment}
            {r.required ? ' (backups required)' : ''}
          </Typography>
        ) : null}
      </Box>
      <Typography variant="body2">{r.message}</Typography>
      {r.hint ? (
        <Typography variant="body2">
          <strong>What to do: </strong>
          {r.hint}
        </Typography>
      ) : null}
      {r.recoverableFrom ? (
        <Typography variant="body2" color="textSecondary">
          Recovery window: restorable from {when(r.recoverableFrom)} to now
        </Typography>
      ) : null}
      {r.methods.length ? (
        <Typography variant="caption" color="textSecondary" component="div">
          Backups by {r.methods.join(', ')}
          {r.schedules.length
            ? ` · ${r.schedules
                .map(
                  s =>
                    `${s.name} (${s.schedule ?? 'no schedule'}${
                      s.suspended ? ', suspended' : ''
                    })`,
                )
                .join(', ')}`
            : ' · no ScheduledBackup'}
        </Typography>
      ) : null}
      {r.backups.length ? (
        <List dense disablePadding aria-label={`Last backups of ${item.name}`}>
          {r.backups.map(b => (
            <ListItem key={b.name} disableGutters>
              <ListItemText
                style={{ whiteSpace: 'normal', overflowWrap: 'anywhere' }}
                primary={
                  <Typography variant="body2" component="span">
                    <strong>{b.name}</strong> · {b.phase ?? 'no phase yet'}
                    {backupTime(b)}
                  </Typography>
                }
                secondary={b.error}
              />
            </ListItem>
          ))}
        </List>
      ) : null}
    </Box>
  );
}
