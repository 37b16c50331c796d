/**
 * Health of self-service PostgreSQL databases, read through Backstage's Kubernetes backend.
 *
 * @packageDocumentation
 */
export { postgresPlugin as default } from './plugin';
