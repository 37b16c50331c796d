import { ReactNode, useState } from 'react';
import {
  InfoCard,
  Link,
  StatusAborted,
  StatusOK,
  StatusPending,
  StatusRunning,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  getCompoundEntityRef,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  Box,
  Button,
  List,
  ListItem,
  ListItemText,
  Typography,
} from '@material-ui/core';
import {
  DatabaseChangeRequest,
  DatabaseRequestStatus,
  formatDuration,
  isDismissable,
  postgresDatabaseCreatePermission,
  REQUEST_PHASE_TITLES,
} from '@bizmatters/plugin-postgres-common';
import { postgresApiRef } from '../api/PostgresApi';

/** The record's last day-2 request that is not closed (of `operation`, when given). */
function activeChange(
  request: DatabaseRequestStatus,
  operation?: DatabaseChangeRequest['operation'],
): DatabaseChangeRequest | undefined {
  return [...(request.changes ?? [])]
    .reverse()
    .find(
      c =>
        c.pullRequest.state !== 'closed' &&
        (!operation || c.operation === operation),
    );
}

/** Where a request is, in words: `Requested — pull request #7 open`, `Merged — waiting for Argo CD`, … */
export function requestPhaseText(request: DatabaseRequestStatus): string {
  const n = request.pullRequest.number;
  switch (request.phase) {
    case 'requested':
      return `${REQUEST_PHASE_TITLES.requested} — pull request #${n} open`;
    case 'abandoned':
      return `${REQUEST_PHASE_TITLES.abandoned} — pull request #${n} closed without merge`;
    case 'changing': {
      const c = activeChange(request);
      return c
        ? `${REQUEST_PHASE_TITLES.changing} — pull request #${c.pullRequest.number} open`
        : REQUEST_PHASE_TITLES.changing;
    }
    case 'decommissioning': {
      const c = activeChange(request, 'decommission');
      if (!c) return REQUEST_PHASE_TITLES.decommissioning;
      return c.pullRequest.state === 'merged'
        ? `${REQUEST_PHASE_TITLES.decommissioning} — pull request #${c.pullRequest.number} merged, waiting for Argo CD`
        : `${REQUEST_PHASE_TITLES.decommissioning} — pull request #${c.pullRequest.number} open`;
    }
    default:
      return REQUEST_PHASE_TITLES[request.phase];
  }
}

/** A request's phase with the status icon of core-components. */
export function RequestPhase({ request }: { request: DatabaseRequestStatus }) {
  const text = requestPhaseText(request);
  switch (request.phase) {
    case 'healthy':
      return <StatusOK>{text}</StatusOK>;
    case 'abandoned':
    case 'decommissioned':
      return <StatusAborted>{text}</StatusAborted>;
    case 'provisioning':
    case 'changing':
    case 'decommissioning':
      return <StatusRunning>{text}</StatusRunning>;
    default:
      return <StatusPending>{text}</StatusPending>;
  }
}

const when = (iso: string) => new Date(iso).toLocaleString();

/** `alice` for `user:default/alice`, the whole ref when it is not one. */
function who(userRef: string): string {
  try {
    return parseEntityRef(userRef).name;
  } catch {
    return userRef;
  }
}

/**
 * Who asked and when each transition was seen: requested, merged (or closed), claim seen,
 * first healthy, and the time to healthy.
 */
export function RequestTimelineText({
  request,
}: {
  request: DatabaseRequestStatus;
}) {
  const t = request.timeline;
  const parts = [
    <span key="requested">
      Requested by{' '}
      <span title={request.requestedBy}>{who(request.requestedBy)}</span>{' '}
      {when(t.requestedAt)}
    </span>,
  ];
  if (t.mergedAt)
    parts.push(<span key="merged">merged {when(t.mergedAt)}</span>);
  if (t.closedAt && !t.mergedAt) {
    parts.push(<span key="closed">closed {when(t.closedAt)}</span>);
  }
  if (t.claimSeenAt) {
    parts.push(<span key="claim">claim seen {when(t.claimSeenAt)}</span>);
  }
  if (t.healthyAt) {
    parts.push(<span key="healthy">healthy {when(t.healthyAt)}</span>);
  }
  if (request.timeToHealthySeconds !== undefined) {
    parts.push(
      <strong key="tth">
        time to healthy {formatDuration(request.timeToHealthySeconds)}
      </strong>,
    );
  }
  if (t.decommissionedAt) {
    parts.push(
      <strong key="gone">
        decommissioned {when(t.decommissionedAt)}
        {request.decommissionedBy ? (
          <>
            {' '}
            by{' '}
            <span title={request.decommissionedBy}>
              {who(request.decommissionedBy)}
            </span>
          </>
        ) : null}
      </strong>,
    );
  }
  return (
    <>
      {parts.flatMap((p, i) =>
        i ? [<span key={`sep${i}`}> · </span>, p] : [p],
      )}
      <RecordChanges request={request} />
    </>
  );
}

/** A day-2 request's state in words: open, merged (when), closed without merge (when). */
function changeStateText(change: DatabaseChangeRequest): string {
  switch (change.pullRequest.state) {
    case 'merged':
      return `merged${change.mergedAt ? ` ${when(change.mergedAt)}` : ''}`;
    case 'closed':
      return `closed without merge${
        change.closedAt ? ` ${when(change.closedAt)}` : ''
      }`;
    default:
      return 'open';
  }
}

/**
 * The record's day-2 requests, one line each (what it changes, its pull request and state,
 * who and when), and what to know (a decommission closed without merge): inline, for the
 * secondary text of a list item or a table cell.
 */
export function RecordChanges({ request }: { request: DatabaseRequestStatus }) {
  const changes = request.changes ?? [];
  if (!changes.length && !request.note) return null;
  return (
    <span aria-label={`Changes of ${request.name}`}>
      {changes.map(c => (
        <span key={c.id} style={{ display: 'block' }}>
          {c.title ??
            (c.operation === 'decommission' ? 'Decommission' : 'Change')}{' '}
          —{' '}
          <Link to={c.pullRequest.url} target="_blank" rel="noopener">
            pull request #{c.pullRequest.number}
          </Link>{' '}
          {changeStateText(c)} · by{' '}
          <span title={c.requestedBy}>{who(c.requestedBy)}</span>{' '}
          {when(c.requestedAt)}
        </span>
      ))}
      {request.note ? (
        <span style={{ display: 'block' }} role="note">
          {request.note}
        </span>
      ) : null}
    </span>
  );
}

/** The pull request that carries a request, as a link. */
export function PullRequestLink({
  request,
}: {
  request: DatabaseRequestStatus;
}) {
  return (
    <Link to={request.pullRequest.url} target="_blank" rel="noopener">
      Pull request #{request.pullRequest.number}
    </Link>
  );
}

/**
 * One request as a list item's text: name, namespace, phase, pull request link (and
 * `children`, e.g. the entity it was made for), then who asked and when.
 */
export function RequestText({
  request,
  children,
}: {
  request: DatabaseRequestStatus;
  children?: ReactNode;
}) {
  return (
    <ListItemText
      style={{ whiteSpace: 'normal' }}
      primary={
        <Box
          display="flex"
          alignItems="center"
          flexWrap="wrap"
          style={{ gap: 12 }}
        >
          <Typography variant="subtitle2">{request.name}</Typography>
          <Typography variant="caption" color="textSecondary">
            namespace {request.namespace}
          </Typography>
          <RequestPhase request={request} />
          <PullRequestLink request={request} />
          {children}
        </Box>
      }
      secondary={<RequestTimelineText request={request} />}
    />
  );
}

/**
 * "Dismiss" for an abandoned request or a decommissioned database, to those who may create a
 * database for the entity.
 */
function DismissButton({
  request,
  onDismissed,
}: {
  request: DatabaseRequestStatus;
  onDismissed: () => void;
}) {
  const api = useApi(postgresApiRef);
  const { entity } = useEntity();
  const { allowed } = usePermission({
    permission: postgresDatabaseCreatePermission,
    resourceRef: stringifyEntityRef(entity),
  });
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  if (!allowed || !isDismissable(request.phase)) return null;
  const dismiss = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.dismissRequest(getCompoundEntityRef(entity), request.id);
      onDismissed();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Box display="flex" alignItems="center" style={{ gap: 8 }}>
      {error ? (
        <Typography variant="caption" color="error" role="alert">
          {error}
        </Typography>
      ) : null}
      <Button
        size="small"
        variant="outlined"
        onClick={dismiss}
        disabled={busy}
        aria-label={`Dismiss the ${
          request.phase === 'decommissioned' ? 'record' : 'request'
        } for ${request.name}`}
      >
        Dismiss
      </Button>
    </Box>
  );
}

/**
 * The tab's records whose database is not in a cluster: requests (phase, pull request link,
 * who and when; an abandoned one can be dismissed) and, apart, decommissioned databases (when
 * and by whom, until `postgres.requests.keepDecommissionedDays` or a dismissal).
 */
export function PendingRequests({
  requests,
  onChange,
}: {
  requests: DatabaseRequestStatus[];
  onChange: () => void;
}) {
  const gone = requests.filter(r => r.phase === 'decommissioned');
  const pending = requests.filter(r => r.phase !== 'decommissioned');
  const list = (title: string, records: DatabaseRequestStatus[]) =>
    records.length ? (
      <InfoCard title={title}>
        <List dense aria-label={title}>
          {records.map(request => (
            <ListItem key={request.id} divider>
              <RequestText request={request} />
              <DismissButton request={request} onDismissed={onChange} />
            </ListItem>
          ))}
        </List>
      </InfoCard>
    ) : null;
  return (
    <>
      {list('Requested databases', pending)}
      {pending.length && gone.length ? <Box mt={2} /> : null}
      {list('Decommissioned databases', gone)}
    </>
  );
}
