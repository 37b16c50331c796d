import {
  DatabaseItem,
  DatabaseObjects,
  EventObject,
  KubeObject,
  LabelledSecretSummary,
  SecretSummary,
  StepId,
  claimEntityRef,
  claimSecretNames,
  claimSecretsFromList,
  clusterObjectStoreName,
  deriveDatabaseHealth,
  deriveRecoverability,
  environmentOfParameter,
  PostgresPolicyInput,
  hopObject,
  selectDatabaseObjects,
  toDatabaseItem,
} from '@bizmatters/plugin-postgres-common';
import { ClusterReader, RecoverabilityKind } from './ClusterReader';
import { KubernetesReadError } from './ClusterApiClient';
import { ReadScope } from './ReadScope';
import { describeReadError, ScopedError } from './readErrors';

/** The kinds read once cluster-wide for the fleet (per namespace where that is refused). */
type WideKind = 'clusters' | 'externalSecrets' | 'backups' | 'scheduledBackups';

/** One database, with the entity its claim names (if any). */
export interface FleetEntry {
  item: DatabaseItem;
  /** The claim's `bizmatters.io/entity-ref`, normalized; undefined when it names none. */
  entityRef?: string;
  /** The failing hop and the object whose events explain it; undefined when healthy. */
  failing?: { step: StepId; object: EventObject };
}

/** What reading claims' objects needs: the reader, and the derivations' settings. */
export interface DatabaseItemsOptions {
  reader: ClusterReader;
  /** How long a progressing state may last before it is stuck; unset: the derivation's own. */
  stuckAfterSeconds?: number;
  /**
   * Where backups are required and how old the last may be (`postgres.recoverability.*`), and
   * the policy whose SSM path pattern names a database's environment.
   */
  recoverability: RecoverabilitySettings;
}

/** The settings of a database's recoverability (`postgres.recoverability.*`). */
export interface RecoverabilitySettings {
  /** False: no recoverability reads, and none on the items. */
  enabled: boolean;
  requiredIn: string[];
  maxBackupAgeHours: number;
  policy: PostgresPolicyInput;
}

/**
 * Reads each namespace of the claims once per kind, and the Secrets the claims name, and
 * builds their items. Entity views read each Secret by name (GET). `wide` (the fleet): CNPG
 * Clusters and ExternalSecrets come from one cluster-wide LIST each, or per namespace where
 * the portal may only list them per namespace; Secrets from one cluster-wide LIST selected by
 * the databases' label (`bizmatters.io/postgres-instance`, which no other Secret carries), or
 * one per namespace where that is refused or too large, and by name only those not in it
 * (made before the label, or absent). Both end in the same
 * summaries, `selectDatabaseObjects` and `deriveDatabaseHealth`.
 */
export async function readDatabaseItems(
  options: DatabaseItemsOptions,
  cluster: string,
  claims: KubeObject[],
  errors: ScopedError[],
  scope: ReadScope,
  wide = false,
): Promise<FleetEntry[]> {
  const { reader } = options;
  const recoverable = options.recoverability.enabled;
  /** `wide`: a kind's cluster-wide LIST, read once for all namespaces and grouped by them. */
  const grouped = new Map<string, Promise<Map<string, KubeObject[]>>>();
  const allNamespaces = (kind: WideKind) => {
    let byNs = grouped.get(kind);
    if (!byNs) {
      byNs = reader.allNamespaces(cluster, kind, scope).then(list => {
        const out = new Map<string, KubeObject[]>();
        for (const o of list) {
          const ns = o.metadata?.namespace ?? '';
          if (!out.has(ns)) out.set(ns, []);
          out.get(ns)!.push(o);
        }
        return out;
      });
      byNs.catch(() => {}); // each namespace's read reports it
      grouped.set(kind, byNs);
    }
    return byNs;
  };
  /** `wide`: the databases' labelled Secrets of every namespace, in one LIST, grouped. */
  let allSecrets:
    | Promise<Map<string, LabelledSecretSummary[]> | undefined>
    | undefined;
  const labelledSecrets = async (namespace: string) => {
    allSecrets ??= reader.databaseSecrets(cluster, undefined, scope).then(
      list => {
        const out = new Map<string, LabelledSecretSummary[]>();
        for (const s of list) {
          if (!out.has(s.namespace)) out.set(s.namespace, []);
          out.get(s.namespace)!.push(s);
        }
        return out;
      },
      e => {
        // refused cluster-wide (RBAC per namespace) or too large: per namespace instead
        if (
          e instanceof KubernetesReadError &&
          (e.failure === 'forbidden' || e.failure === 'tooLarge')
        )
          return undefined;
        throw e;
      },
    );
    const all = await allSecrets;
    if (all) return all.get(namespace) ?? [];
    return reader.databaseSecrets(cluster, namespace, scope);
  };
  const readKind =
    (namespace: string, kind: WideKind) => async (): Promise<KubeObject[]> => {
      if (wide) {
        try {
          return (await allNamespaces(kind)).get(namespace) ?? [];
        } catch (e) {
          if (!(e instanceof KubernetesReadError && e.failure === 'forbidden'))
            throw e;
        }
      }
      return reader.inNamespace(cluster, namespace, kind, scope);
    };
  const byNamespace = new Map<string, KubeObject[]>();
  for (const c of claims) {
    const ns = c.metadata?.namespace ?? '';
    if (!byNamespace.has(ns)) byNamespace.set(ns, []);
    byNamespace.get(ns)!.push(c);
  }
  const now = Date.now();
  const out = await Promise.all(
    [...byNamespace].map(async ([namespace, nsClaims]) => {
      const unreadable: Partial<Record<StepId, string>> = {};
      const attempt = async (
        kind: 'clusters' | 'externalSecrets' | RecoverabilityKind,
        steps: StepId[],
        read: () => Promise<KubeObject[]>,
      ) => {
        try {
          return await read();
        } catch (e) {
          const message = describeReadError(e, kind, cluster, namespace);
          for (const s of steps) unreadable[s] = message;
          errors.push({ cluster, namespace, message });
          return [] as KubeObject[];
        }
      };
      /** A named Secret's summary, null when absent, or the message why it was not read. */
      const secret = async (
        name: string,
      ): Promise<SecretSummary | null | { unread: string }> => {
        try {
          return await reader.secret(cluster, namespace, name, scope);
        } catch (e) {
          const message = describeReadError(
            e,
            'secrets',
            cluster,
            namespace,
            'get',
          );
          errors.push({ cluster, namespace, message });
          return { unread: message };
        }
      };
      /**
       * The fleet: the namespace's Secrets that carry the databases' label, from the
       * cluster-wide labelled LIST or, where it is refused or too large, the namespace's (an
       * empty list when that fails too: every secret is then read by name, and a failure is
       * reported by those reads).
       */
      const labelled = wide
        ? labelledSecrets(namespace).catch(() => [] as LabelledSecretSummary[])
        : Promise.resolve([] as LabelledSecretSummary[]);
      /** A claim's two secrets: from the labelled list, or each by name when not in it. */
      const claimSecrets = async (claim: KubeObject) => {
        const name = claim.metadata?.name ?? '';
        const names = claimSecretNames(name, claim.spec ?? {});
        const listed = claimSecretsFromList(name, names, await labelled);
        return Promise.all([
          listed.credentialsSecret ?? secret(names.credentialsSecretName),
          listed.connectionSecret ?? secret(names.connectionSecretName),
        ]);
      };
      /** The recoverability kinds' objects, or why they could not be read. */
      const recoverabilityRead = async (
        kind: RecoverabilityKind,
        read: () => Promise<KubeObject[]>,
      ): Promise<KubeObject[] | { unread: string }> => {
        try {
          return await read();
        } catch (e) {
          const message = describeReadError(e, kind, cluster, namespace);
          errors.push({ cluster, namespace, message });
          return { unread: message };
        }
      };
      const [cnpg, eso, secrets, backups, scheduledBackups] = await Promise.all(
        [
          attempt('clusters', ['cluster'], readKind(namespace, 'clusters')),
          attempt(
            'externalSecrets',
            ['externalSecret'],
            readKind(namespace, 'externalSecrets'),
          ),
          Promise.all(nsClaims.map(claimSecrets)),
          recoverable
            ? recoverabilityRead('backups', readKind(namespace, 'backups'))
            : [],
          recoverable
            ? recoverabilityRead(
                'scheduledBackups',
                readKind(namespace, 'scheduledBackups'),
              )
            : [],
        ],
      );
      // the Barman Cloud plugin's ObjectStores, only where a Cluster of the namespace names one
      const objectStores =
        recoverable &&
        cnpg.some(
          c => c.kind === 'Cluster' && clusterObjectStoreName(c) !== undefined,
        )
          ? await recoverabilityRead('objectStores', () =>
              reader.inNamespace(cluster, namespace, 'objectStores', scope),
            )
          : [];
      const unreadRecoverability = [backups, scheduledBackups, objectStores]
        .map(r => ('unread' in r ? r.unread : undefined))
        .find(Boolean);
      return nsClaims.map((claim, i) => {
        const summaries: SecretSummary[] = [];
        const claimUnreadable = { ...unreadable };
        secrets[i].forEach((s, j) => {
          if (s && 'unread' in s) {
            claimUnreadable[
              j === 0 ? 'credentialsSecret' : 'connectionSecret'
            ] = s.unread;
          } else if (s) {
            summaries.push(s);
          }
        });
        const objects: DatabaseObjects = selectDatabaseObjects(
          claim,
          [...cnpg, ...eso],
          summaries,
        );
        if (Object.keys(claimUnreadable).length)
          objects.unreadable = claimUnreadable;
        const health = deriveDatabaseHealth(objects, {
          now,
          ...(options.stuckAfterSeconds
            ? { stuckAfterSeconds: options.stuckAfterSeconds }
            : {}),
        });
        const entityRef = claimEntityRef(claim);
        const item = toDatabaseItem(cluster, claim, objects, health);
        const settings = options.recoverability;
        const environment =
          item.ssmParameters &&
          environmentOfParameter(item.ssmParameters.user, settings.policy);
        const recoverability = recoverable
          ? deriveRecoverability(
              {
                cluster: objects.cluster,
                backups: Array.isArray(backups) ? backups : [],
                scheduledBackups: Array.isArray(scheduledBackups)
                  ? scheduledBackups
                  : [],
                objectStores: Array.isArray(objectStores) ? objectStores : [],
                ...(environment ? { environment } : {}),
                ...(unreadRecoverability
                  ? { unreadable: unreadRecoverability }
                  : {}),
              },
              {
                requiredIn: settings.requiredIn,
                maxBackupAgeHours: settings.maxBackupAgeHours,
                now,
              },
            )
          : undefined;
        if (recoverability) item.recoverability = recoverability;
        const step =
          health.verdict === 'healthy' ? undefined : health.failingStep;
        return {
          item,
          ...(entityRef ? { entityRef } : {}),
          ...(step
            ? {
                failing: {
                  step,
                  object: hopObject(step, {
                    claim: item.name,
                    credentialsSecret: item.credentialsSecret.name,
                    connectionSecret: item.connectionSecret.name,
                    externalSecret: objects.externalSecret?.metadata?.name,
                  }),
                },
              }
            : {}),
        };
      });
    }),
  );
  return out
    .flat()
    .sort((a, b) =>
      `${a.item.namespace}/${a.item.name}`.localeCompare(
        `${b.item.namespace}/${b.item.name}`,
      ),
    );
}
