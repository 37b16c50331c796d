import { SsmStandIn } from '../ssm';
import { KubernetesStandIn } from '../kubernetes';
import { b64, condition, now } from '../kubernetes/conditions';
import { recordEvent } from '../kubernetes/events';

/** The event source ESO's controller reports as (reference/examples/04: source.component). */
const ESO_COMPONENT = 'external-secrets';

/**
 * The sandbox's stand-in for the owner reference ESO puts on a target secret
 * (creationPolicy Owner): the ExternalSecret's name.
 */
export const ESO_OWNER_LABEL = 'sandbox.bizmatters.io/external-secret';

/**
 * External Secrets Operator, one pass: each ExternalSecret (v1beta1 and v1) reads its
 * `spec.data[].remoteRef.key` from the SSM stand-in and writes the target Secret with the
 * template's type and labels, reporting `SecretSynced` and a Normal `Updated` event, or `SecretSyncedError`
 * and a Warning `UpdateFailed` event when a parameter is missing; a target Secret whose ExternalSecret is gone is deleted
 * (creationPolicy Owner). True if anything changed.
 */
export function reconcileExternalSecrets(
  kube: KubernetesStandIn,
  ssm: SsmStandIn,
): boolean {
  let changed = false;
  const all = [
    ...kube.list('external-secrets.io/v1beta1', 'ExternalSecret'),
    ...kube.list('external-secrets.io/v1', 'ExternalSecret'),
  ];
  // creationPolicy Owner: the secret has an owner reference to its ExternalSecret, so
  // Kubernetes' garbage collector deletes it with the ExternalSecret
  for (const secret of kube.list('v1', 'Secret')) {
    const owner = secret.metadata.labels?.[ESO_OWNER_LABEL];
    if (
      owner &&
      !all.some(
        es =>
          es.metadata.namespace === secret.metadata.namespace &&
          es.metadata.name === owner,
      )
    ) {
      kube.delete(
        'v1',
        'Secret',
        secret.metadata.namespace,
        secret.metadata.name,
      );
      changed = true;
    }
  }
  for (const es of all) {
    const spec = (es as any).spec ?? {};
    const target = spec.target?.name ?? es.metadata.name;
    const values: Record<string, string> = {};
    let missing: string | undefined;
    (spec.data ?? []).forEach((d: any, i: number) => {
      const p = ssm.parameters.get(d.remoteRef?.key);
      if (p) values[d.secretKey] = p.value;
      else
        missing ??= `error retrieving secret at .data[${i}], key: ${d.remoteRef?.key}, err: Secret does not exist`;
    });
    const ready = ((es as any).status?.conditions ?? []).find(
      (c: any) => c.type === 'Ready',
    );
    if (missing) {
      // every attempt that fails says so: ESO's reconciler records a Warning `UpdateFailed`
      // with the provider's error as message on each failed sync (pkg/controllers/
      // externalsecret/externalsecret_controller.go, v0.9: ReasonUpdateFailed;
      // reference/status-vocabulary.json eventReasons, missingSsmParameterEvent(v0.9.13)); the
      // recorder folds the repeats into one Event with a count
      recordEvent(kube, es, 'Warning', 'UpdateFailed', missing, ESO_COMPONENT);
      if (ready?.reason !== 'SecretSyncedError') {
        kube.apply({
          ...es,
          status: {
            binding: {},
            refreshTime: null,
            conditions: [
              condition(
                'Ready',
                'False',
                'SecretSyncedError',
                'could not get secret data from provider',
              ),
            ],
          },
        });
        changed = true;
      }
      continue;
    }
    const data = Object.fromEntries(
      Object.entries(values).map(([k, v]) => [k, b64(v)]),
    );
    const secret = kube.get(
      'v1',
      'Secret',
      es.metadata.namespace,
      target,
    ) as any;
    const type = spec.target?.template?.type ?? 'Opaque';
    // ESO puts the template's labels on the Secret it writes, next to its own
    // (spec.target.template.metadata.labels, external-secrets.io CRD)
    const labels = {
      ...(spec.target?.template?.metadata?.labels ?? {}),
      'reconcile.external-secrets.io/created-by': 'sandbox',
      [ESO_OWNER_LABEL]: es.metadata.name,
    };
    if (
      !secret ||
      JSON.stringify(secret.data) !== JSON.stringify(data) ||
      secret.type !== type ||
      JSON.stringify(secret.metadata.labels) !== JSON.stringify(labels)
    ) {
      // a sync that wrote the Secret: Normal `Updated` "Updated Secret" (same source,
      // ReasonUpdated; status-vocabulary.json eventReasons "Updated (Normal)")
      recordEvent(
        kube,
        es,
        'Normal',
        'Updated',
        'Updated Secret',
        ESO_COMPONENT,
      );
      kube.apply({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: target,
          namespace: es.metadata.namespace,
          labels,
        },
        type,
        data,
      } as any);
      changed = true;
    }
    if (ready?.reason !== 'SecretSynced') {
      kube.apply({
        ...es,
        status: {
          binding: { name: target },
          refreshTime: now(),
          conditions: [
            condition('Ready', 'True', 'SecretSynced', 'Secret was synced'),
          ],
        },
      });
      changed = true;
    }
  }
  return changed;
}
