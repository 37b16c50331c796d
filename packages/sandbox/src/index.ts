/** Development-only stand-ins that speak the real protocols. Never a dependency of a plugin. */
export { SsmStandIn } from './ssm';
export type { SsmParameter, SsmStandInOptions } from './ssm';
export { ForgeStandIn } from './forge';
export type { PullRequest, MergeEvent } from './forge';
export type { StandInServer } from './http';
export { KubernetesStandIn, PLATFORM_KINDS } from './kubernetes';
export type { KindInfo, KubeObject } from './kubernetes';
export { PlatformSimulator } from './platform';
export {
  DatabaseServer,
  DatabaseServerUnavailable,
  findPostgresBinaries,
  freePort,
  pgClient,
} from './database';
export type {
  BootstrapResult,
  ClusterBootstrap,
  PgClient,
  PgClientConfig,
} from './database';
export type { ClusterOperation, PlatformOptions } from './platform';
export { startSandbox, SANDBOX_PORTS, GITOPS } from './main';
export { seedDatabases } from './seed';
export type { SeedDatabase } from './seed';
