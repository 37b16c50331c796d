#!/usr/bin/env node
/* The local portal (backend + app + platform sandbox) is not built yet; see the README. */
console.error(
  [
    'npm start: the local portal is not yet available.',
    'It arrives with the "Local portal and platform sandbox" work (packages/backend, packages/app, packages/sandbox).',
    'Until then, `npm test` runs every test of the plugins that exist.',
  ].join('\n'),
);
process.exit(1);
