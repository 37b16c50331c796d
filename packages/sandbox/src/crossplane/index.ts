import { KubernetesStandIn } from '../kubernetes';
import { condition, now } from '../kubernetes/conditions';
import { recordEvent } from '../kubernetes/events';
import {
  clusterImage,
  clusterResources,
  clusterStorageSize,
  composeBackupObjects,
  composeCluster,
  composeConnectionData,
  composesBackups,
  withXrdDefaults,
} from './composition';

/** The event source of Crossplane's claim reconciler (its controller's name). */
const CROSSPLANE_COMPONENT =
  'offered/compositeresourcedefinition.apiextensions.crossplane.io';

/** The labels Crossplane puts on composed resources, naming their claim. */
export const CLAIM_NAME_LABEL = 'crossplane.io/claim-name';
export const CLAIM_NAMESPACE_LABEL = 'crossplane.io/claim-namespace';

/**
 * Crossplane with the platform's Composition (./composition), one pass: each PostgresInstance
 * claim composes a CNPG Cluster and, once the credentials secret exists, the connection secret;
 * the claim's Synced and Ready conditions say where it is. A deleted claim's composed resources
 * are deleted. True if anything changed.
 */
export function reconcileClaims(
  kube: KubernetesStandIn,
  options: {
    /** Where the connection secrets point (the sandbox's PostgreSQL server), if any. */
    database?: { host: string; port: number };
    log?: (message: string) => void;
  } = {},
): boolean {
  const { database, log } = options;
  let changed = false;
  const claims = kube.list(
    'database.bizmatters.io/v1alpha1',
    'PostgresInstance',
  );
  // a deleted claim: Crossplane deletes its composite and the composed resources (the CNPG
  // Cluster and the connection secret), labelled with the claim they were composed for
  for (const [apiVersion, kind] of [
    ['postgresql.cnpg.io/v1', 'Cluster'],
    ['v1', 'Secret'],
    ['barmancloud.cnpg.io/v1', 'ObjectStore'],
    ['postgresql.cnpg.io/v1', 'ScheduledBackup'],
  ]) {
    for (const composed of kube.list(apiVersion, kind)) {
      const claimName = composed.metadata.labels?.[CLAIM_NAME_LABEL];
      const claimNamespace = composed.metadata.labels?.[CLAIM_NAMESPACE_LABEL];
      if (
        claimName &&
        !claims.some(
          c =>
            c.metadata.name === claimName &&
            c.metadata.namespace === claimNamespace,
        )
      ) {
        kube.delete(
          apiVersion,
          kind,
          composed.metadata.namespace,
          composed.metadata.name,
        );
        log?.(
          `crossplane: deleted ${kind} ${composed.metadata.namespace}/${composed.metadata.name} of the deleted claim ${claimNamespace}/${claimName}`,
        );
        changed = true;
      }
    }
  }
  for (const claim of claims) {
    const spec = withXrdDefaults((claim as any).spec);
    const ref = {
      namespace: claim.metadata.namespace!,
      name: claim.metadata.name,
    };
    const composedLabels = {
      [CLAIM_NAME_LABEL]: ref.name,
      [CLAIM_NAMESPACE_LABEL]: ref.namespace,
    };
    const resources = clusterResources(spec.size);
    const image = clusterImage(spec);
    const storageSize = clusterStorageSize(spec);
    const cluster = kube.get(
      'postgresql.cnpg.io/v1',
      'Cluster',
      ref.namespace,
      ref.name,
    ) as any;
    if (
      cluster &&
      (cluster.spec?.imageName !== image ||
        cluster.spec?.storage?.size !== storageSize ||
        JSON.stringify(cluster.spec?.resources) !== JSON.stringify(resources))
    ) {
      // the Composition's patches (storage size, image from the version, resources from the size)
      kube.apply({
        ...cluster,
        spec: {
          ...cluster.spec,
          imageName: image,
          storage: { ...cluster.spec?.storage, size: storageSize },
          resources,
        },
      });
      changed = true;
    }
    if (composesBackups(claim)) {
      for (const obj of composeBackupObjects(ref, composedLabels)) {
        if (
          !kube.get(obj.apiVersion, obj.kind, ref.namespace, obj.metadata.name)
        ) {
          kube.apply(obj);
          changed = true;
        }
      }
    }
    if (!cluster) {
      kube.apply(
        composeCluster(
          ref,
          spec,
          composedLabels,
          now(),
          composesBackups(claim),
        ),
      );
      // the claim reconciler, having applied the composite (and so the Composition's
      // resources): Normal `ConfigureCompositeResource` (crossplane
      // internal/controller/apiextensions/claim/reconciler.go, v1.14-v1.16, reasonCompositeConfigure;
      // its failure is a Warning of the same reason, "cannot configure composite resource: …")
      recordEvent(
        kube,
        claim,
        'Normal',
        'ConfigureCompositeResource',
        'Successfully applied composite resource',
        CROSSPLANE_COMPONENT,
      );
      changed = true;
    }
    const credentials = spec.credentialsSecretName
      ? (kube.get(
          'v1',
          'Secret',
          ref.namespace,
          spec.credentialsSecretName,
        ) as any)
      : undefined;
    const connectionName = spec.connectionSecretName;
    if (credentials && connectionName) {
      // again whenever the credentials change; in the sandbox the "service" is its PostgreSQL
      // server
      const data = composeConnectionData(ref, spec, credentials, database);
      const existing = kube.get(
        'v1',
        'Secret',
        ref.namespace,
        connectionName,
      ) as any;
      if (JSON.stringify(existing?.data) !== JSON.stringify(data)) {
        // same reconciler, once the composite's connection details are written to the claim's
        // secret: Normal `PropagateConnectionSecret` (reasonPropagate)
        recordEvent(
          kube,
          claim,
          'Normal',
          'PropagateConnectionSecret',
          'Successfully propagated connection details from composite resource',
          CROSSPLANE_COMPONENT,
        );
        kube.apply({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: {
            name: connectionName,
            namespace: ref.namespace,
            labels: composedLabels,
          },
          type: 'Opaque',
          data,
        });
        changed = true;
      }
    }
    const ready =
      !!credentials &&
      !!connectionName &&
      !!kube.get('v1', 'Secret', ref.namespace, connectionName);
    const conditions = [
      condition('Synced', 'True', 'ReconcileSuccess'),
      ready
        ? condition('Ready', 'True', 'Available')
        : condition(
            'Ready',
            'False',
            'Waiting',
            'Claim is waiting for composite resource to become Ready',
          ),
    ];
    const current = ((claim as any).status?.conditions ?? [])
      .map((c: any) => `${c.type}=${c.status}/${c.reason}`)
      .join(',');
    const next = conditions
      .map(c => `${c.type}=${c.status}/${c.reason}`)
      .join(',');
    if (current !== next) {
      kube.apply({ ...claim, status: { conditions } });
      changed = true;
    }
  }
  return changed;
}
