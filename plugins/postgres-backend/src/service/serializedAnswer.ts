import { DatabasesResponse } from '@bizmatters/plugin-postgres-common';
import { createHash } from 'crypto';
import { gzipSync } from 'zlib';

/**
 * An answer as sent: JSON, the same bytes gzipped for clients that accept gzip, and a weak
 * ETag shared by both (clients revalidating an unchanged answer get a 304).
 */
export interface SerializedAnswer {
  /** UTF-8 JSON (a Buffer: half the memory of a string with any non-Latin-1 character). */
  json: Buffer;
  gzip: Buffer;
  etag: string;
}

/** `body` serialized once: its JSON, gzipped copy and ETag. */
export function serialize(body: DatabasesResponse): SerializedAnswer {
  const json = Buffer.from(JSON.stringify(body));
  return {
    json,
    gzip: gzipSync(json),
    etag: `W/"${createHash('sha1').update(json).digest('base64url')}"`,
  };
}
