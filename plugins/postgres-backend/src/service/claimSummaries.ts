import {
  ClaimsResponse,
  claimSummary,
} from '@bizmatters/plugin-postgres-common';
import { ClusterReader } from './ClusterReader';
import { ReadScope } from './ReadScope';

const messageOf = (e: unknown) => String((e as Error)?.message ?? e);

/**
 * Every claim of every cluster, reduced to where it is and the entity and owner it names (no
 * spec, no status, no secret), with each cluster that could not be read named with why. Read
 * through the same cached, coalesced claim LISTs as the fleet: one per cluster per cache TTL,
 * whatever the number of claims.
 */
export async function readClaimSummaries(
  reader: ClusterReader,
  scope: ReadScope,
): Promise<ClaimsResponse> {
  let clusters: string[];
  try {
    clusters = await reader.clusters(scope);
  } catch (e) {
    return { clusters: [], error: messageOf(e) };
  }
  return {
    clusters: await Promise.all(
      clusters.map(async cluster => {
        try {
          const claims = await reader.claims(cluster, undefined, scope);
          return { cluster, claims: claims.map(claimSummary) };
        } catch (e) {
          return { cluster, error: messageOf(e) };
        }
      }),
    ),
  };
}
