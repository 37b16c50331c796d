/*
 * Every field deriveRecoverability reads, and every Backup phase it names, is in the CRDs it
 * reads them from: CNPG v1.28.0's Backup and ScheduledBackup and plugin-barman-cloud v0.14.0's
 * ObjectStore (fixtures/reference/cnpg), and CNPG's Cluster where ../shared/reference has it
 * (its 434 kB CRD is not copied into fixtures).
 */
import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';
import { REFERENCE_DIR } from '../__testUtils__/reference';

/** The v1 schema of a CRD file, or undefined when the file is not there. */
function schemaOf(dir: string, file: string): any | undefined {
  const full = path.join(dir, file);
  if (!fs.existsSync(full)) return undefined;
  const crd = parse(fs.readFileSync(full, 'utf8'));
  return crd.spec.versions.find((v: any) => v.name === 'v1').schema
    .openAPIV3Schema;
}

/** The schema at a dotted path (`*` steps into arrays' items and maps' values). */
function at(schema: any, dotted: string): any {
  let node = schema;
  for (const key of dotted.split('.')) {
    if (key === '*') node = node.items ?? node.additionalProperties;
    else node = node?.properties?.[key];
    if (!node) return undefined;
  }
  return node;
}

const CNPG = path.join(REFERENCE_DIR, 'cnpg');

describe('the CRDs deriveRecoverability reads', () => {
  it('Backup: spec.cluster.name, spec.method and the status fields', () => {
    const backup = schemaOf(CNPG, 'postgresql.cnpg.io_backups.yaml');
    for (const field of [
      'spec.cluster.name',
      'spec.method',
      'status.phase',
      'status.method',
      'status.startedAt',
      'status.stoppedAt',
      'status.error',
    ]) {
      expect([field, !!at(backup, field)]).toEqual([field, true]);
    }
    expect(at(backup, 'spec.method').enum).toEqual([
      'barmanObjectStore',
      'volumeSnapshot',
      'plugin',
    ]);
  });

  it('ScheduledBackup: schedule, suspend, cluster and the schedule times', () => {
    const scheduled = schemaOf(
      CNPG,
      'postgresql.cnpg.io_scheduledbackups.yaml',
    );
    for (const field of [
      'spec.schedule',
      'spec.suspend',
      'spec.cluster.name',
      'status.lastScheduleTime',
      'status.nextScheduleTime',
    ]) {
      expect([field, !!at(scheduled, field)]).toEqual([field, true]);
    }
  });

  it('ObjectStore: the recovery window per server', () => {
    const store = schemaOf(CNPG, 'barmancloud.cnpg.io_objectstores.yaml');
    for (const field of [
      'status.serverRecoveryWindow.*.firstRecoverabilityPoint',
      'status.serverRecoveryWindow.*.lastSuccessfulBackupTime',
      'status.serverRecoveryWindow.*.lastFailedBackupTime',
    ]) {
      expect([field, !!at(store, field)]).toEqual([field, true]);
    }
  });
});

// CNPG's Cluster CRD where ../shared/reference has it (not copied into fixtures)
const SHARED_CNPG = path.resolve(
  REFERENCE_DIR,
  '../../../shared/reference/cnpg',
);
const describeWithCluster = fs.existsSync(
  path.join(SHARED_CNPG, 'postgresql.cnpg.io_clusters.yaml'),
)
  ? describe
  : describe.skip;

describeWithCluster('the Cluster CRD deriveRecoverability reads', () => {
  it('has the backup methods, plugins and recoverability status fields', () => {
    const cluster = schemaOf(SHARED_CNPG, 'postgresql.cnpg.io_clusters.yaml');
    for (const field of [
      'spec.backup.barmanObjectStore',
      'spec.backup.volumeSnapshot',
      'spec.plugins.*.name',
      'spec.plugins.*.enabled',
      'spec.plugins.*.isWALArchiver',
      'spec.plugins.*.parameters',
      'status.firstRecoverabilityPoint',
      'status.lastSuccessfulBackup',
      'status.conditions',
    ]) {
      expect([field, !!at(cluster, field)]).toEqual([field, true]);
    }
    // "not set for backup plugins": why an empty status never means "no backups"
    expect(at(cluster, 'status.lastSuccessfulBackup').description).toMatch(
      /not set for backup plugins/,
    );
  });
});
