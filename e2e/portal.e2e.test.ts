/*
 * The browser journeys (Debian's Chromium driven by playwright-core) against the local portal
 * started as `npm start` starts it, started once and signed in once as the guest
 * (e2e/portal.ts). Each journey is in e2e/journeys/ and makes the data it needs, so that it
 * runs alone as well as with the others:
 *
 *   npm run test:e2e                      every journey, in the order below
 *   npm run test:e2e -- fleet life        only these (still in the order below)
 *   npm run test:e2e:production           every journey on the production shape
 *                                         (the backend on PostgreSQL, its cache on Redis)
 *
 * Screenshots and the portal's log go to artifacts/e2e/ (artifacts/e2e-production/).
 */
import { after, before, describe, test } from 'node:test';
import { signIn, startPortal, stopPortal } from './portal';
import { accessibility } from './journeys/accessibility';
import { catalog } from './journeys/catalog';
import { create } from './journeys/create';
import { day2 } from './journeys/day2';
import { fleet } from './journeys/fleet';
import { health } from './journeys/health';
import { life } from './journeys/life';
import { refusals } from './journeys/refusals';
import { repair } from './journeys/repair';
import { secrets } from './journeys/secrets';
import { trust } from './journeys/trust';

const journeys: [name: string, title: string, tests: () => void][] = [
  ['create', 'create: "New Postgres DB" to a healthy database', create],
  ['day-2', 'day 2: grow a database from its tab', day2],
  ['refusals', 'refusals: the form says no before "Create"', refusals],
  ['catalog', 'catalog: Resources and "New database"', catalog],
  ['health', 'health states: broken, hibernated, failing over', health],
  ['fleet', 'fleet: the "Databases" page', fleet],
  ['trust', "trust: another team's database stays theirs", trust],
  ['secrets', 'secrets: logins, SSM, no password anywhere', secrets],
  ['accessibility', 'accessibility and deprecations', accessibility],
  ['life', "life: a database's whole life as one record", life],
  // last: it mends billing, which the journeys above find broken
  ['repair', "repair: billing's credentials from its Change menu", repair],
];

const chosen = process.argv.slice(2).filter(a => !a.startsWith('-'));
const unknown = chosen.filter(c => !journeys.some(([name]) => name === c));
if (unknown.length)
  throw new Error(
    `no journey ${unknown.join(', ')}; the journeys: ${journeys
      .map(([name]) => name)
      .join(', ')}`,
  );

before(startPortal);
after(stopPortal);

test('sign in as guest', signIn);

for (const [name, title, tests] of journeys)
  if (!chosen.length || chosen.includes(name)) describe(title, tests);
