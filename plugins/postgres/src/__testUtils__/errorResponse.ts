import { ResponseError } from '@backstage/errors';

/** The error the API client throws for a backend answer `status` with `@backstage/errors`' body. */
export function errorResponse(
  status: number,
  name: string,
  message: string,
): Promise<ResponseError> {
  return ResponseError.fromResponse(
    new Response(JSON.stringify({ error: { name, message } }), {
      status,
      statusText: String(status),
      headers: { 'content-type': 'application/json' },
    }) as any,
  );
}
