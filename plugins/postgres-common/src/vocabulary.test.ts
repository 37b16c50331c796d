import fs from 'fs';
import path from 'path';
import {
  CNPG_ATTENTION_PHASES,
  CNPG_FAILED_PHASES,
  CNPG_HEALTHY_PHASE,
  CNPG_PROGRESSING_PHASES,
  ESO_ERROR_REASONS,
} from './vocabulary';
import { RESERVED_ROLES, RESERVED_ROLE_PREFIXES } from './names';
import { readReferenceJson, REFERENCE_DIR } from './__testUtils__/reference';

describe('status vocabulary', () => {
  const vocab = readReferenceJson('status-vocabulary.json');

  it('knows exactly the CNPG phases of the reference, in the same buckets', () => {
    expect([CNPG_HEALTHY_PHASE]).toEqual(vocab.cnpg.phases.healthy);
    expect(CNPG_PROGRESSING_PHASES).toEqual(vocab.cnpg.phases.progressing);
    expect(CNPG_ATTENTION_PHASES).toEqual(vocab.cnpg.phases.attention);
    expect(CNPG_FAILED_PHASES).toEqual(vocab.cnpg.phases.failed);
  });

  it('knows the ESO error reasons and CNPG reserved roles', () => {
    expect(vocab.externalSecrets.ExternalSecret.readyReasons.False).toEqual(
      expect.arrayContaining(
        ESO_ERROR_REASONS.filter(r => r.startsWith('Secret')),
      ),
    );
    expect(RESERVED_ROLES).toEqual(vocab.cnpg.reservedRoles.exact);
    expect(RESERVED_ROLE_PREFIXES).toEqual(vocab.cnpg.reservedRoles.prefixes);
  });
});

// In the team's workspace the reference sits beside the checkout; CI has it too.
const shared = path.resolve(REFERENCE_DIR, '../../../shared/reference');
const describeWithShared = fs.existsSync(shared) ? describe : describe.skip;

describeWithShared('fixtures/reference', () => {
  it('has not drifted from ../shared/reference', () => {
    const walk = (dir: string): string[] =>
      fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap(e =>
          e.isDirectory()
            ? walk(path.join(dir, e.name)).map(f => `${e.name}/${f}`)
            : [e.name],
        );
    for (const file of walk(REFERENCE_DIR)) {
      const ours = fs.readFileSync(path.join(REFERENCE_DIR, file));
      const theirs = fs.readFileSync(path.join(shared, file));
      expect([file, ours.equals(theirs)]).toEqual([file, true]);
    }
  });
});
