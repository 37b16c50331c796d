import {
  Context,
  conditionOf,
  deleting,
  formatDuration,
  generationAhead,
  hintValues,
  rawCondition,
  ref,
  str,
  stuckFor,
  unreadable,
} from './context';
import { ESO_READY_REASONS } from './eso';
import { finding } from './states';
import type { Finding } from './types';

/** A Go duration string that is zero ("0", "0s", "0h0m0s"). */
function isZeroDuration(d: string | undefined): boolean {
  return d !== undefined && /^[0-9.]+/.test(d) && !/[1-9]/.test(d);
}

/** The generation ESO last synced: the number before the dash of syncedResourceVersion. */
function syncedGeneration(v: string | undefined): number | undefined {
  const m = v === undefined ? null : /^(\d+)-/.exec(v);
  return m ? Number(m[1]) : undefined;
}

/**
 * The ExternalSecret hop (ESO apis/externalsecrets/v1/externalsecret_types.go and
 * pkg/controllers/externalsecret; v1beta1 has the same status). The meaning of each state is
 * in states.ts.
 */
export function externalSecretStep(ctx: Context): Finding {
  const blocked = unreadable(ctx, 'externalSecret');
  if (blocked) return blocked;
  const es = ctx.externalSecret;
  if (!ctx.usesExternalSecret) {
    return finding(
      'esNotUsed',
      'The claim names no credentials secret: CloudNative-PG generates the credentials, no ExternalSecret is involved.',
    );
  }
  const target = ctx.credentialsSecretName ?? '?';
  if (!es) {
    if (ctx.objects.credentialsSecret) {
      return finding(
        'esManagedElsewhere',
        `No ExternalSecret produces secret ${target}; the secret exists and is managed by other means.`,
      );
    }
    return finding(
      'esNotFound',
      `No ExternalSecret produces the credentials secret ${target} in namespace ${
        ctx.namespace ?? '?'
      }.`,
    );
  }
  const name = ref('ExternalSecret', es.metadata);
  const keys = Object.values(ctx.remoteKeys);
  const store = es.spec?.secretStoreRef;
  const storeText = str(store?.name)
    ? `${str(store?.kind) ?? 'SecretStore'} '${store?.name}'`
    : 'its secret store';
  const values = hintValues(ctx, {
    name: str(es.metadata?.name),
    namespace: str(es.metadata?.namespace) ?? ctx.namespace,
    keys: keys.length ? keys.join(' and ') : 'the parameters it names',
    store: storeText,
    target,
    apiVersion: str(es.apiVersion) ?? 'this apiVersion',
  });
  const gone = deleting('esDeleting', 'ExternalSecret', es.metadata, values);
  if (gone) return gone;
  const ready = conditionOf(es.status, 'Ready');
  if (!ready) {
    const age = stuckFor(ctx, str(es.metadata?.creationTimestamp));
    return age !== undefined
      ? finding(
          'esStuck',
          `${name} has not been reconciled by External Secrets in ${formatDuration(
            age,
          )}.`,
          values,
        )
      : finding(
          'esNotReconciled',
          `${name} has not been reconciled by External Secrets yet.`,
          values,
        );
  }
  const reason = str(ready.reason) ?? '';
  const status = str(ready.status);
  const meaning = ESO_READY_REASONS[reason];
  if (status === 'True' && meaning === 'esDeleted') {
    return finding(
      'esDeleted',
      `External Secrets deleted ${target}: ${
        str(ready.message) ?? 'the source no longer exists'
      }.`,
      values,
      reason,
    );
  }
  if (status === 'False' && (meaning === 'esSyncError' || reason === '')) {
    return finding(
      'esSyncError',
      `${name}: ${str(ready.message) ?? 'not ready'}.`,
      values,
      reason || undefined,
    );
  }
  if (status === 'True' && (meaning === 'esSynced' || reason === '')) {
    const policy = str(es.spec?.refreshPolicy);
    const ahead = generationAhead(
      es.metadata,
      syncedGeneration(str(es.status?.syncedResourceVersion)),
    );
    if (ahead && policy === 'CreatedOnce') {
      return finding(
        'esChangeIgnored',
        `${name} changed (generation ${ahead.generation}) after its secret was made from generation ${ahead.observed}; with refreshPolicy CreatedOnce External Secrets never updates it.`,
        values,
      );
    }
    if (ahead) {
      return finding(
        'esChangeNotSynced',
        `${name} changed (generation ${ahead.generation}); the secret still holds what generation ${ahead.observed} read.`,
        values,
      );
    }
    const synced = `${
      str(ready.message) ?? 'Secret was synced'
    } from ${storeText}`;
    const interval = str(es.spec?.refreshInterval);
    let once: string | undefined;
    if (policy === 'CreatedOnce' || policy === 'OnChange') {
      once = `refreshPolicy ${policy}`;
    } else if (isZeroDuration(interval)) once = `refreshInterval ${interval}`;
    if (once) {
      const at = str(es.status?.refreshTime);
      return finding(
        'esSyncedOnce',
        `${synced}${
          at ? ` at ${at}` : ''
        }. With ${once} External Secrets does not read SSM again: a value rotated there since is not in the secret.`,
        values,
        reason || undefined,
      );
    }
    return finding('esSynced', `${synced}.`, values, reason || undefined);
  }
  return finding(
    'esUnknown',
    `${name} reports ${rawCondition(ready)}, which this portal does not know.`,
    values,
  );
}
