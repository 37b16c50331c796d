import { useEffect } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { postgresApiRef } from '../api/PostgresApi';

/** Refresh interval while the page is visible. */
const AUTO_REFRESH_MS = 30_000;

/**
 * Props of `EntityPostgresCard` and `EntityPostgresContent`.
 *
 * @public
 */
export interface EntityPostgresProps {
  /** How often the databases are read again while the page is visible, in milliseconds (default 30 000; 0 turns it off). */
  refreshMs?: number;
}

/**
 * The current entity's databases, refreshed every 30 s while the page is visible and on demand.
 */
export function useEntityDatabases(refreshMs = AUTO_REFRESH_MS) {
  const api = useApi(postgresApiRef);
  const { entity } = useEntity();
  const ref = getCompoundEntityRef(entity);
  const key = `${ref.kind}:${ref.namespace}/${ref.name}`;
  const state = useAsyncRetry(() => api.getEntityDatabases(ref), [api, key]);
  const { retry } = state;
  useEffect(() => {
    if (!refreshMs) return undefined;
    const timer = setInterval(() => {
      if (
        typeof document === 'undefined' ||
        document.visibilityState === 'visible'
      )
        retry();
    }, refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs, retry]);
  return state;
}
