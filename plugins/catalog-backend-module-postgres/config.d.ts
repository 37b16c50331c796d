import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  postgres?: {
    catalog?: {
      /**
       * How often the database Resources are refreshed from every cluster's claims (a full
       * refresh: a deleted claim's Resource goes away); default every minute, each run given at
       * most a minute.
       */
      refresh?: SchedulerServiceTaskScheduleDefinitionConfig;
      /**
       * Whether every signed-in user may read the database Resources in the catalog (the
       * inventory: names, clusters, namespaces, owners). Default false: the shipped permission
       * policy lets only a database Resource's owners and the fleet readers read it, the same
       * rule as `/api/postgres/v1/databases`. Read by the permission policy (the local portal's
       * `packages/backend/src/permissionPolicy.ts`, and yours if you adopt it).
       */
      publicInventory?: boolean;
    };
  };
}
