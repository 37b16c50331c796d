import { age } from './RecentEvents';

describe('age', () => {
  const now = Date.parse('2026-12-07T12:00:00Z');
  it('says how long ago, in the largest whole unit', () => {
    expect(age('2026-12-07T11:59:20Z', now)).toBe('40s ago');
    expect(age('2026-12-07T11:55:00Z', now)).toBe('5m ago');
    expect(age('2026-12-07T09:30:00Z', now)).toBe('2h ago');
    expect(age('2026-12-04T12:00:00Z', now)).toBe('3d ago');
    expect(age(undefined, now)).toBe('unknown age');
  });
});
