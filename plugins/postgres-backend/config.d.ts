export interface Config {
  postgres?: {
    cache?: {
      /** How long upstream reads are shared between viewers, in seconds; default 10. */
      ttlSeconds?: number;
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
