/** Helpers for what controllers write into objects: base64 data, timestamps, conditions. */

export const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
export const unb64 = (s: unknown) =>
  typeof s === 'string' ? Buffer.from(s, 'base64').toString('utf8') : undefined;
/** A timestamp as Kubernetes writes them (RFC 3339, whole seconds). */
export const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** A status condition (metav1.Condition), with its lastTransitionTime now. */
export function condition(
  type: string,
  status: 'True' | 'False',
  reason: string,
  message?: string,
) {
  return {
    type,
    status,
    reason,
    ...(message ? { message } : {}),
    lastTransitionTime: now(),
  };
}
