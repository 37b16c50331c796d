/*
 * The local portal's backend. Configuration: ../../app-config.yaml plus
 * ../../app-config.sandbox.yaml (integrations, clusters and SSM pointed at the sandbox).
 */
import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(import('@backstage/plugin-permission-backend'));
// Owners create and read their databases, the platform team reads the fleet, users may not use
// the Kubernetes proxy (see permissionPolicy.ts).
backend.add(import('./permissionPolicy'));
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
backend.add(import('@bizmatters/plugin-scaffolder-backend-module-postgres'));
backend.add(import('@backstage/plugin-kubernetes-backend'));
backend.add(import('@bizmatters/plugin-postgres-backend'));
// every claim of every cluster as a Resource of type database, read from the postgres backend
backend.add(import('@bizmatters/plugin-catalog-backend-module-postgres'));
// the postgres backend's actions (postgres:list-databases, …) to MCP clients, as the caller
backend.add(import('@backstage/plugin-mcp-actions-backend'));

backend.start();
