export interface Config {
  postgres?: {
    cache?: {
      /**
       * How long upstream reads, and the answers built from them, are shared between viewers,
       * in seconds; default 10. It also bounds how long the catalog's answer to "may this
       * caller see this entity" is reused for the same caller.
       */
      ttlSeconds?: number;
    };
    catalog?: {
      /** Time allowed for the catalog to answer an entity lookup, in milliseconds; default 10000. */
      timeoutMs?: number;
    };
    kubernetes?: {
      /** Time allowed for one cluster to answer, in milliseconds; default 5000. */
      timeoutMs?: number;
    };
    health?: {
      /** How long a CNPG progressing phase may last before it is reported stuck; default 900. */
      stuckAfterSeconds?: number;
    };
  };
}
