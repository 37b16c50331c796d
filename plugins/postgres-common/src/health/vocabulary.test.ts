import fs from 'fs';
import path from 'path';
import { RESERVED_ROLES, RESERVED_ROLE_PREFIXES } from '../names';
import { CNPG_PHASE_STATES } from './cnpg';
import { CROSSPLANE_REASONS } from './crossplane';
import { ESO_READY_REASONS } from './eso';
import { STATES } from './states';
import { readReferenceJson, REFERENCE_DIR } from '../__testUtils__/reference';

// The reference vocabulary is the list of texts to recognise; what they mean is decided by
// health/states.ts from the operators' own sources (its buckets were a first guess).
describe('status vocabulary', () => {
  const vocab = readReferenceJson('status-vocabulary.json');
  const word = (s: string) => s.split(' ')[0];

  it('recognises every CNPG phase of the reference; its one healthy phase is ours', () => {
    const { healthy, progressing, attention, failed } = vocab.cnpg.phases;
    for (const p of [...healthy, ...progressing, ...attention, ...failed]) {
      expect([p, p in CNPG_PHASE_STATES]).toEqual([p, true]);
    }
    for (const p of Object.keys(CNPG_PHASE_STATES)) {
      expect([p, STATES[CNPG_PHASE_STATES[p]].severity === 'ok']).toEqual([
        p,
        healthy.includes(p),
      ]);
    }
  });

  it('recognises the ESO and Crossplane reasons of the reference', () => {
    const es = vocab.externalSecrets.ExternalSecret.readyReasons;
    for (const r of [
      ...es.True,
      ...es.False,
      ...es['v1-era generic-target reasons'],
    ].map(word)) {
      expect([r, r in ESO_READY_REASONS]).toEqual([r, true]);
    }
    for (const r of es.False) {
      expect(ESO_READY_REASONS[word(r)]).toBe('esSyncError');
    }
    const claim = vocab.crossplaneClaim;
    expect(Object.keys(CROSSPLANE_REASONS.synced).sort()).toEqual(
      [...claim.Synced.True, ...claim.Synced.False].sort(),
    );
    expect(Object.keys(CROSSPLANE_REASONS.readyFalse)).toEqual(
      expect.arrayContaining([...claim.Ready.False, ...claim.Ready.xrOnly]),
    );
    expect(Object.keys(CROSSPLANE_REASONS.readyTrue)).toEqual(claim.Ready.True);
  });

  it('knows the CNPG reserved roles', () => {
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
