import { useState } from 'react';
import {
  Content,
  ContentHeader,
  InfoCard,
  StructuredMetadataTable,
} from '@backstage/core-components';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  Box,
  Grid,
  IconButton,
  List,
  ListItem,
  ListItemText,
  Tooltip,
  Typography,
} from '@material-ui/core';
import FileCopyIcon from '@material-ui/icons/FileCopy';
import {
  applicationEnvYaml,
  clusterFacts,
  DatabaseItem,
  STEP_TITLES,
} from '@bizmatters/plugin-postgres-common';
import { EntityPostgresProps, useEntityDatabases } from './useEntityDatabases';
import { StepStatusIndicator, VerdictStatus } from './Verdict';
import { age, RecentEvents } from './RecentEvents';
import { RecoverabilitySection, RecoverabilityStatus } from './Recoverability';
import {
  ChangeDatabaseMenu,
  NewDatabaseButton,
  RefreshButton,
  DatabasesState,
} from './shared';
import {
  PendingRequests,
  RequestPhase,
  PullRequestLink,
  RequestTimelineText,
} from './Requests';

/** The five hops, each with status, reason, message and hint. */
function Steps({ item }: { item: DatabaseItem }) {
  return (
    <List dense aria-label={`Health of ${item.name}`}>
      {item.health.steps.map((step, index) => {
        const failing = step.id === item.health.failingStep;
        const events =
          failing && item.events?.step === step.id ? item.events : undefined;
        return (
          <ListItem
            key={step.id}
            divider
            selected={failing}
            aria-current={failing ? 'step' : undefined}
            // the events go under the hop's text
            style={
              events
                ? { flexDirection: 'column', alignItems: 'stretch' }
                : undefined
            }
          >
            <ListItemText
              // Backstage's theme keeps list text on one line and clips it; a hop's message and
              // what to do must be read whole.
              style={{
                whiteSpace: 'normal',
                overflow: 'visible',
                overflowWrap: 'anywhere',
              }}
              primary={
                <Box display="flex" alignItems="center" style={{ gap: 8 }}>
                  <Typography variant="subtitle2">
                    {index + 1}. {STEP_TITLES[step.id]}
                  </Typography>
                  <StepStatusIndicator
                    status={step.status}
                    verdict={item.health.verdict}
                  />
                  <Typography variant="caption" color="textSecondary">
                    {step.reason}
                  </Typography>
                </Box>
              }
              secondary={
                <>
                  <Typography variant="body2" component="span" display="block">
                    {step.message}
                  </Typography>
                  {step.hint ? (
                    <Typography
                      variant="body2"
                      component="span"
                      display="block"
                      color="textPrimary"
                    >
                      <strong>What to do: </strong>
                      {step.hint}
                    </Typography>
                  ) : null}
                </>
              }
            />
            {events ? <RecentEvents events={events} /> : null}
          </ListItem>
        );
      })}
    </List>
  );
}

function EnvBlock({ item }: { item: DatabaseItem }) {
  const yaml = applicationEnvYaml(item.connectionSecret.name);
  const [copied, setCopied] = useState<string | undefined>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(yaml);
      setCopied('Copied');
    } catch {
      setCopied('Copy failed: select the text below');
    }
  };
  return (
    <Box>
      <Box display="flex" alignItems="center" justifyContent="space-between">
        <Typography variant="subtitle2">
          Connect your application (env of its container)
        </Typography>
        <Box display="flex" alignItems="center" style={{ gap: 8 }}>
          {copied ? (
            <Typography variant="caption" role="status">
              {copied}
            </Typography>
          ) : null}
          <Tooltip title="Copy env block">
            <IconButton aria-label="Copy env block" size="small" onClick={copy}>
              <FileCopyIcon fontSize="small" />
            </IconButton>
          </Tooltip>
        </Box>
      </Box>
      {/* plain text in the page's own colours: the snippet's syntax colours (grey, teal
          on grey) fall below the 4.5:1 contrast people need to read it */}
      <Box
        component="pre"
        aria-label="Env block"
        p={2}
        m={0}
        overflow="auto"
        bgcolor="background.default"
        color="text.primary"
        fontFamily="monospace"
        fontSize="0.85rem"
      >
        {yaml}
      </Box>
    </Box>
  );
}

/** Where the owner's credentials come from (SSM, names only) and when they were last synced. */
function CredentialsSource({ item }: { item: DatabaseItem }) {
  const sync = item.credentialsSync;
  if (!item.ssmParameters && !sync) return null;
  return (
    <Box mt={2} role="group" aria-label={`Credentials of ${item.name}`}>
      <Typography variant="subtitle2">Credentials from AWS SSM</Typography>
      {item.ssmParameters ? (
        <Typography
          variant="body2"
          color="textSecondary"
          style={{ overflowWrap: 'anywhere' }}
        >
          {item.ssmParameters.user}, {item.ssmParameters.password}
        </Typography>
      ) : null}
      {sync ? (
        <Typography variant="body2" color="textSecondary">
          {sync.refreshTime
            ? `Last synced by External Secrets ${age(sync.refreshTime)}`
            : 'Not synced by External Secrets yet'}
          {sync.refreshInterval ? ` · every ${sync.refreshInterval}` : ''}
        </Typography>
      ) : null}
    </Box>
  );
}

function DatabaseCard({
  item,
  entityRef,
}: {
  item: DatabaseItem;
  entityRef: string;
}) {
  const s = item.clusterStatus;
  return (
    <InfoCard
      action={<ChangeDatabaseMenu item={item} entityRef={entityRef} />}
      title={
        <Box display="flex" alignItems="center" style={{ gap: 12 }}>
          <span>{item.name}</span>
          <VerdictStatus verdict={item.health.verdict} />
          {item.recoverability && item.recoverability.state !== 'protected' ? (
            // "Healthy — not recoverable": never hidden behind a green verdict
            <RecoverabilityStatus r={item.recoverability} />
          ) : null}
        </Box>
      }
      subheader={
        <>
          {item.cluster} · namespace {item.namespace}
          {item.entityRef && item.entityRef !== entityRef ? (
            // e.g. on the database's own Resource page: the service it belongs to
            <>
              {' · service '}
              <EntityRefLink
                entityRef={item.entityRef}
                defaultKind="component"
              />
            </>
          ) : null}
        </>
      }
    >
      <Grid container spacing={3}>
        <Grid item xs={12} md={7}>
          <Steps item={item} />
        </Grid>
        <Grid
          item
          xs={12}
          md={5}
          role="group"
          aria-label={`Claim of ${item.name}`}
        >
          <Typography variant="subtitle2">Claim</Typography>
          <StructuredMetadataTable
            dense
            metadata={{
              size: item.spec.size ?? '–',
              version: item.spec.version ?? '–',
              storage:
                item.spec.storageGB !== undefined
                  ? `${item.spec.storageGB} GB`
                  : '–',
              database: item.spec.databaseName ?? '–',
              owner: item.spec.databaseOwner ?? '–',
            }}
          />
          <Box mt={2}>
            <Typography variant="subtitle2">CNPG cluster</Typography>
            <StructuredMetadataTable
              dense
              metadata={{
                // in words that agree with the cluster's step (CNPG keeps 'healthy' on a
                // hibernated cluster and names a lost primary while failing over)
                ...clusterFacts(
                  s,
                  item.health.steps.find(step => step.id === 'cluster'),
                ),
                image: s?.image ?? '–',
              }}
            />
          </Box>
          <Box mt={2}>
            <Typography variant="subtitle2">
              Connection secret {item.connectionSecret.name}
            </Typography>
            <Typography variant="body2" color="textSecondary">
              {item.connectionSecret.present
                ? `Keys: ${item.connectionSecret.keys.join(', ') || 'none'}`
                : 'Not created yet'}
            </Typography>
          </Box>
          <CredentialsSource item={item} />
        </Grid>
        {item.request ? (
          <Grid item xs={12}>
            <Typography
              variant="body2"
              color="textSecondary"
              aria-label={`Request of ${item.name}`}
            >
              {item.request.phase === 'changing' ||
              item.request.phase === 'decommissioning' ? (
                <>
                  <RequestPhase request={item.request} />{' '}
                </>
              ) : null}
              <PullRequestLink request={item.request} />
              {' · '}
              <RequestTimelineText request={item.request} />
            </Typography>
          </Grid>
        ) : null}
        {item.recoverability ? (
          <Grid item xs={12}>
            <RecoverabilitySection item={item} />
          </Grid>
        ) : null}
        <Grid item xs={12}>
          <EnvBlock item={item} />
        </Grid>
      </Grid>
    </InfoCard>
  );
}

/**
 * The "Databases" tab: per database, the five-step chain with the failing hop, the claim,
 * CNPG status, connection secret keys and a copyable env block.
 *
 * @public
 */
export function EntityPostgresContent(props: EntityPostgresProps) {
  const { entity } = useEntity();
  const { value, loading, error, retry } = useEntityDatabases(props.refreshMs);
  const body = (
    <DatabasesState
      value={value}
      error={error}
      entityName={entity.metadata.title ?? entity.metadata.name}
      requests={requests => (
        <Box mb={3}>
          <PendingRequests requests={requests} onChange={retry} />
        </Box>
      )}
    >
      {items => (
        <Grid container spacing={3}>
          {items.map(item => (
            <Grid
              item
              xs={12}
              key={`${item.cluster}/${item.namespace}/${item.name}`}
            >
              <DatabaseCard
                item={item}
                entityRef={stringifyEntityRef(entity)}
              />
            </Grid>
          ))}
        </Grid>
      )}
    </DatabasesState>
  );
  return (
    <Content>
      <ContentHeader title="PostgreSQL databases">
        <RefreshButton onClick={retry} loading={loading} />
        <NewDatabaseButton entity={entity} />
      </ContentHeader>
      {body}
    </Content>
  );
}
