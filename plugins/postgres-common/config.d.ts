export interface Config {
  /**
   * Self-service PostgreSQL: the choices the platform team curates. Shared by the scaffolder
   * actions, the health backend and the entity page.
   */
  postgres?: {
    /**
     * Sizes offered, name → description and resources. Defaults to the seed's small, medium
     * and large. A size named like a default may leave out its resources.
     * @visibility frontend
     */
    sizes?: {
      [name: string]: {
        /** @visibility frontend */
        description?: string;
        /** @visibility frontend */
        resources?: {
          /** @visibility frontend */
          requests?: {
            /** @visibility frontend */
            cpu: string;
            /** @visibility frontend */
            memory: string;
          };
          /** @visibility frontend */
          limits?: {
            /** @visibility frontend */
            cpu: string;
            /** @visibility frontend */
            memory: string;
          };
        };
      };
    };
    /**
     * PostgreSQL major versions offered, default "14" to "18".
     * @visibility frontend
     */
    versions?: string[];
    /**
     * Environments offered (used in the SSM path), default dev, staging, prod.
     * @visibility frontend
     */
    environments?: string[];
    /**
     * Storage bounds in GB, default 10 to 1000.
     * @visibility frontend
     */
    storageGB?: {
      /** @visibility frontend */
      min?: number;
      /** @visibility frontend */
      max?: number;
    };
    /** Day-2 upgrades. */
    upgrades?: {
      /**
       * The most PostgreSQL major versions one upgrade may go ahead, default 1 (16 → 17). CNPG
       * runs pg_upgrade across any distance; one at a time keeps each step testable.
       * @visibility frontend
       */
      maxMajorSteps?: number;
    };
    limits?: {
      /**
       * Calls each user may make per minute to the routes that spend forge or SSM calls (the
       * form's availability check, registering a request); past it, 429 with Retry-After.
       * Counted in the cache the backend replicas share. Default 60.
       */
      callsPerMinute?: number;
    };
    ssm?: {
      /**
       * SSM parameter name pattern; placeholders {environment}, {service} (the component's
       * name), {namespace}, {name}, {entityNamespace} (the component's catalog namespace) and
       * {key} (user or password). Default /zerotouch/{environment}/{service}/postgres/{key}.
       * Without {entityNamespace}, only components of the catalog's `default` namespace may
       * create databases (two components could otherwise map to the same paths).
       * @visibility frontend
       */
      pathPattern?: string;
    };
    externalSecret?: {
      /**
       * apiVersion written and read for ExternalSecrets. Default external-secrets.io/v1beta1
       * (ESO ≤ 0.16); ESO ≥ 0.17 serves only external-secrets.io/v1.
       */
      apiVersion?: string;
      /** The secret store the ExternalSecret reads from, default ClusterSecretStore aws-parameter-store. */
      secretStoreRef?: {
        name?: string;
        kind?: string;
      };
      /** ESO refresh interval, default 1h. */
      refreshInterval?: string;
    };
    gitops?: {
      /**
       * Folder for a database's manifests in the GitOps repository; placeholders {namespace},
       * {name}, {environment}, {service}. Default databases/{namespace}/{name}.
       */
      pathPattern?: string;
      /**
       * The GitOps repositories pull requests may go to; the actions refuse any other target
       * before anything is written. None configured: no database can be requested.
       * @visibility frontend
       */
      repositories?: Array<{
        /**
         * Host as in the integrations, e.g. github.com.
         * @visibility frontend
         */
        host: string;
        /** @visibility frontend */
        owner: string;
        /** @visibility frontend */
        repo: string;
        /**
         * The branch pull requests target; default main.
         * @visibility frontend
         */
        baseBranch?: string;
      }>;
    };
  };
}
