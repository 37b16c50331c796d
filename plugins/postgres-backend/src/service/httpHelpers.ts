import express from 'express';
import {
  AuditorService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { InputError, ServiceUnavailableError } from '@backstage/errors';
import { SerializedAnswer } from './serializedAnswer';

/** Sends a cached answer, gzipped when the client accepts it (the compression middleware then leaves it alone). */
export function send(
  req: express.Request,
  res: express.Response,
  answer: SerializedAnswer,
) {
  res.type('application/json');
  res.vary('Accept-Encoding');
  // Express answers 304 itself when the request's If-None-Match matches; browsers keep the
  // answer privately and revalidate it on every refresh.
  res.setHeader('ETag', answer.etag);
  res.setHeader('Cache-Control', 'private, no-cache');
  if (
    req.headers['accept-encoding'] &&
    req.acceptsEncodings('gzip', 'identity') === 'gzip'
  ) {
    res.setHeader('Content-Encoding', 'gzip');
    res.send(answer.gzip);
  } else {
    res.send(answer.json);
  }
}

/**
 * `promise`, or a ServiceUnavailableError after `ms`: a caller never waits on (and no cache
 * entry is held by) an answer that does not come.
 */
export async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new ServiceUnavailableError(`${what} within ${ms} ms`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function principalKey(credentials: BackstageCredentials): string {
  const p = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
  return `${p.type}:${p.userEntityRef ?? p.subject ?? ''}`;
}

/** An InputError unless the path's kind, namespace and name can be an entity's. */
export function checkEntityParams(params: Record<string, string>) {
  for (const [k, v] of Object.entries(params)) {
    if (!/^[A-Za-z0-9][-A-Za-z0-9_.]{0,252}$/.test(v)) {
      throw new InputError(`Invalid entity ${k}`);
    }
  }
}

/** Errors that are a refusal (the caller's input or rights), not a failure. */
const REFUSALS = new Set([
  'NotAllowedError',
  'InputError',
  'NotFoundError',
  'ConflictError',
  'AuthenticationError',
  'TooManyRequestsError',
]);

/** A user past their calls a minute: answered 429 with Retry-After. */
export class TooManyRequestsError extends Error {
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message);
    this.name = 'TooManyRequestsError';
  }
}

/** The normalized entity ref of `req`'s path (`:kind/:namespace/:name`). */
export function entityOfPath(req: express.Request): string {
  return `${req.params.kind}:${req.params.namespace}/${req.params.name}`.toLocaleLowerCase(
    'en-US',
  );
}

/** A string or number field of the body, as a string of at most 300 characters, for audits. */
export function bodyField(req: express.Request, field: string) {
  const v = (req.body ?? {})[field];
  return typeof v === 'string' || typeof v === 'number'
    ? String(v).slice(0, 300)
    : undefined;
}

/** Audit meta: what is known of a call, filled in as it is decided. */
export type AuditMeta = Record<string, string | number | undefined>;

/**
 * Runs `fn` as one audit event (who, which entity, what was decided; never a secret): its
 * result's `meta` on success, the refusal or failure otherwise.
 */
export async function audited<T>(
  auditor: AuditorService | undefined,
  req: express.Request,
  eventId: string,
  meta: AuditMeta,
  fn: (meta: AuditMeta) => Promise<T>,
): Promise<T> {
  const clean = () =>
    Object.fromEntries(
      Object.entries(meta).filter(([, v]) => v !== undefined),
    ) as Record<string, string | number>;
  const event = await auditor?.createEvent({
    eventId,
    severityLevel: 'medium',
    request: req,
    meta: clean(),
  });
  try {
    const result = await fn(meta);
    await event?.success({ meta: clean() });
    return result;
  } catch (e) {
    const error = e as Error;
    meta.decision = REFUSALS.has(error.name) ? 'refused' : 'failed';
    meta.reason = error.message;
    await event?.fail({ error, meta: clean() });
    throw e;
  }
}

/** Answers a TooManyRequestsError 429 with Retry-After, in the error handler's shape. */
export function sendTooManyRequests(
  req: express.Request,
  res: express.Response,
  e: TooManyRequestsError,
) {
  res.setHeader('Retry-After', String(e.retryAfterSeconds));
  res.status(429).json({
    error: { name: e.name, message: e.message },
    request: { method: req.method, url: req.originalUrl },
    response: { statusCode: 429 },
  });
}
