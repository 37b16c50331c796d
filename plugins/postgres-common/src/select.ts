import { DatabaseObjects } from './health/types';
import { KubeObject, POSTGRES_INSTANCE_KIND } from './manifests';
import { SecretSummary, summarizeSecret } from './secrets';
import { claimSecretNames } from './request';
import { POSTGRES_INSTANCE_TYPE } from './claimType';

/** CNPG's API group. */
const CNPG_GROUP = 'postgresql.cnpg.io';
/** External Secrets' API group. */
const ESO_GROUP = 'external-secrets.io';

function groupOf(obj: KubeObject): string {
  const apiVersion = obj.apiVersion ?? '';
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/**
 * Picks, from objects read in a claim's namespace, those that belong to the claim: the CNPG
 * Cluster of the same name, the ExternalSecret whose target is the claim's credentials secret
 * (any apiVersion), and the credentials and connection secrets, reduced to summaries at once.
 * The zero-touch variant (no secret names in the claim) uses `<claim>-app` and `<claim>-conn`.
 *
 * @public
 */
export function selectDatabaseObjects(
  claim: KubeObject,
  candidates: Iterable<KubeObject>,
  /** Secrets of the claim's namespace already reduced to summaries (instead of raw Secrets). */
  secretSummaries?: Iterable<SecretSummary>,
): DatabaseObjects {
  const name = claim.metadata?.name;
  const namespace = claim.metadata?.namespace;
  const spec = claim.spec ?? {};
  const { usesExternalSecret, credentialsSecretName, connectionSecretName } =
    claimSecretNames(name ?? '', spec);

  const objects: DatabaseObjects = { claim };
  for (const obj of candidates) {
    if (obj.metadata?.namespace !== namespace || obj === claim) continue;
    const objName = obj.metadata?.name;
    const group = groupOf(obj);
    if (obj.kind === 'Cluster' && group === CNPG_GROUP && objName === name) {
      objects.cluster = obj;
    } else if (
      obj.kind === 'ExternalSecret' &&
      group === ESO_GROUP &&
      usesExternalSecret &&
      (obj.spec?.target?.name ?? objName) === credentialsSecretName
    ) {
      objects.externalSecret = obj;
    } else if (obj.kind === 'Secret' && (obj.apiVersion ?? 'v1') === 'v1') {
      if (objName === credentialsSecretName) {
        objects.credentialsSecret = summarizeSecret(obj as any);
      } else if (objName === connectionSecretName) {
        objects.connectionSecret = summarizeSecret(obj as any);
      }
    }
  }
  for (const summary of secretSummaries ?? []) {
    if (summary.name === credentialsSecretName)
      objects.credentialsSecret = summary;
    else if (summary.name === connectionSecretName)
      objects.connectionSecret = summary;
  }
  return objects;
}

/**
 * True for a `PostgresInstance` claim of the platform (any version of the group).
 *
 * @public
 */
export function isPostgresInstance(obj: KubeObject): boolean {
  return (
    obj.kind === POSTGRES_INSTANCE_KIND &&
    groupOf(obj) === POSTGRES_INSTANCE_TYPE.group
  );
}
