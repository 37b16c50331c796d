import type { KubernetesStandIn } from '.';
import type { KubeObject } from './kinds';
import { now } from './conditions';

/**
 * Records a core/v1 Event about `about`, as client-go's legacy event recorder does
 * (k8s.io/client-go/tools/record, events_cache.go): an event with the same source, involved
 * object, type, reason and message as an existing one is not created again: its `count` goes
 * up and its `lastTimestamp` moves (that is how `kubectl describe` shows "x5 over 10m").
 * Otherwise a new Event named `<object>.<hex time>`, with `firstTimestamp` = `lastTimestamp`.
 */
export function recordEvent(
  kube: KubernetesStandIn,
  about: KubeObject,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
  component: string,
): void {
  const namespace = about.metadata.namespace ?? 'default';
  const involvedObject = {
    apiVersion: about.apiVersion,
    kind: about.kind,
    name: about.metadata.name,
    namespace,
    ...(about.metadata.uid ? { uid: about.metadata.uid } : {}),
  };
  const at = now();
  const same = kube.list('v1', 'Event', namespace).find((e: any) => {
    const o = e.involvedObject ?? {};
    return (
      o.kind === involvedObject.kind &&
      o.name === involvedObject.name &&
      e.type === type &&
      e.reason === reason &&
      e.message === message &&
      e.source?.component === component
    );
  }) as any;
  if (same) {
    kube.apply({ ...same, count: (same.count ?? 1) + 1, lastTimestamp: at });
    return;
  }
  kube.apply({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `${about.metadata.name}.${Date.now().toString(16)}${Math.floor(
        Math.random() * 0xffff,
      )
        .toString(16)
        .padStart(4, '0')}`,
      namespace,
      creationTimestamp: at,
    },
    involvedObject,
    type,
    reason,
    message,
    count: 1,
    firstTimestamp: at,
    lastTimestamp: at,
    source: { component },
    reportingComponent: component,
    reportingInstance: '',
  });
}
