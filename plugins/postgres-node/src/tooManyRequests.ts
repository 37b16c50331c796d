/**
 * A caller past their calls a minute: answered 429 with `Retry-After` by
 * {@link sendTooManyRequests}.
 *
 * @public
 */
export class TooManyRequestsError extends Error {
  constructor(
    message: string,
    /** When the caller may ask again (the `Retry-After` header). */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'TooManyRequestsError';
  }
}

/**
 * Answers 429 with `Retry-After` and Backstage's error body (`@backstage/errors`' shape: error,
 * request, response), as both plugins' rate-limited routes do.
 *
 * @public
 */
export function sendTooManyRequests(
  req: { method: string; originalUrl: string },
  res: {
    setHeader(name: string, value: string): unknown;
    status(code: number): { json(body: unknown): unknown };
  },
  error: TooManyRequestsError,
): void {
  res.setHeader('Retry-After', String(error.retryAfterSeconds));
  res.status(429).json({
    error: { name: error.name, message: error.message },
    request: { method: req.method, url: req.originalUrl },
    response: { statusCode: 429 },
  });
}
