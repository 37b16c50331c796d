import { useId } from 'react';
import { List, ListItem, ListItemText, Typography } from '@material-ui/core';
import { StatusOK, StatusWarning } from '@backstage/core-components';
import { StepEvents } from '@bizmatters/plugin-postgres-common';

/** How long ago `iso` was, in the largest whole unit: "40s", "5m", "2h", "3d". */
export function age(iso: string | undefined, now = Date.now()): string {
  const t = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(t)) return 'unknown age';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

/**
 * The failing hop's recent events (type, reason, message, count, age), as a list labelled
 * "Recent events", or why they could not be read.
 */
export function RecentEvents({ events }: { events: StepEvents }) {
  const id = useId();
  const objects = events.objects.map(o => `${o.kind} ${o.name}`).join(', ');
  return (
    <div style={{ marginTop: 8 }}>
      <Typography variant="subtitle2" component="div" id={id}>
        Recent events
      </Typography>
      <Typography variant="caption" color="textSecondary" component="div">
        Of {objects}, the last hour, warnings first
      </Typography>
      {events.error ? (
        <Typography variant="body2" color="textSecondary">
          {events.error}
        </Typography>
      ) : null}
      {!events.error && events.items.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          No events in the last hour.
        </Typography>
      ) : null}
      {events.items.length > 0 ? (
        <List dense disablePadding aria-labelledby={id}>
          {events.items.map((e, i) => (
            <ListItem key={i} disableGutters>
              <ListItemText
                style={{ whiteSpace: 'normal', overflowWrap: 'anywhere' }}
                primary={
                  <Typography variant="body2" component="span">
                    {e.type === 'Warning' ? (
                      <StatusWarning>Warning</StatusWarning>
                    ) : (
                      <StatusOK>{e.type}</StatusOK>
                    )}{' '}
                    <strong>{e.reason}</strong>
                    {e.count > 1 ? ` ×${e.count}` : ''} · {age(e.lastSeen)}
                  </Typography>
                }
                secondary={e.message}
              />
            </ListItem>
          ))}
        </List>
      ) : null}
    </div>
  );
}
