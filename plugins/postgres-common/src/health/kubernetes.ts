/** Kubernetes' own vocabulary the hops check. */

/** The type of a Secret holding `username` and `password` (what the ExternalSecret renders). */
export const BASIC_AUTH_SECRET_TYPE = 'kubernetes.io/basic-auth';
