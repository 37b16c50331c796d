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
  DatabaseRequestStatus,
  formatDuration,
  isDismissable,
  postgresDatabaseCreatePermission,
  REQUEST_PHASE_TITLES,
} from '@bizmatters/plugin-postgres-common';
import { postgresApiRef } from '../api/PostgresApi';

/** Where a request is, in words: `Requested — pull request #7 open`, `Merged — waiting for Argo CD`, … */
export function requestPhaseText(request: DatabaseRequestStatus): string {
  const n = request.pullRequest.number;
  switch (request.phase) {
    case 'requested':
      return `${REQUEST_PHASE_TITLES.requested} — pull request #${n} open`;
    case 'abandoned':
      return `${REQUEST_PHASE_TITLES.abandoned} — pull request #${n} closed without merge`;
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
      return <StatusAborted>{text}</StatusAborted>;
    case 'provisioning':
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
  return (
    <>
      {parts.flatMap((p, i) =>
        i ? [<span key={`sep${i}`}> · </span>, p] : [p],
      )}
    </>
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

/** "Dismiss" for an abandoned request, to those who may create a database for the entity. */
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
        aria-label={`Dismiss the request for ${request.name}`}
      >
        Dismiss
      </Button>
    </Box>
  );
}

/**
 * The tab's requests whose database is not in a cluster (yet): phase, pull request link, who
 * and when; an abandoned one can be dismissed.
 */
export function PendingRequests({
  requests,
  onChange,
}: {
  requests: DatabaseRequestStatus[];
  onChange: () => void;
}) {
  return (
    <InfoCard title="Requested databases">
      <List dense aria-label="Requested databases">
        {requests.map(request => (
          <ListItem key={request.id} divider>
            <RequestText request={request} />
            <DismissButton request={request} onDismissed={onChange} />
          </ListItem>
        ))}
      </List>
    </InfoCard>
  );
}
