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
    };
  };
}
