#!/usr/bin/env node
/*
 * After `npm ci`/`npm install` (root postinstall): make sure the native addons load in the Node.js
 * that runs the project. npm scripts run the Node.js of the root devDependency `node` (first on
 * PATH), but npm builds addons against the headers it is configured with (on these machines the
 * system Node 20's, `npm config get nodedir`), so an addon can be built for the wrong ABI. When
 * `better-sqlite3` does not load, it is rebuilt against the running Node's own headers, taken from
 * the `node-linux-*` package that the `node` package installs.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const ADDONS = ['better-sqlite3'];

function loads(name) {
  const probe = spawnSync(
    process.execPath,
    ['-e', `new (require(${JSON.stringify(name)}))(':memory:').close()`],
    { cwd: root, encoding: 'utf8' },
  );
  return probe.status === 0;
}

/** A nodedir for node-gyp with the running Node's headers, or undefined. */
function headersDir() {
  const platformPackage = path.join(
    root,
    'node_modules',
    'node',
    'node_modules',
    `node-${process.platform}-${process.arch}`,
  );
  const include = path.join(platformPackage, 'include', 'node');
  if (!fs.existsSync(path.join(include, 'node_version.h'))) return undefined;
  const dir = path.join(
    root,
    'node_modules',
    '.cache',
    `node-headers-${process.version}`,
  );
  fs.mkdirSync(path.join(dir, 'include'), { recursive: true });
  fs.cpSync(include, path.join(dir, 'include', 'node'), { recursive: true });
  fs.copyFileSync(
    path.join(include, 'common.gypi'),
    path.join(dir, 'common.gypi'),
  );
  return dir;
}

const broken = ADDONS.filter(name => !loads(name));
if (broken.length === 0) process.exit(0);

const nodedir = headersDir();
console.log(
  `native addons: rebuilding ${broken.join(', ')} for Node.js ${
    process.version
  }${nodedir ? ` with headers from ${path.relative(root, nodedir)}` : ''}`,
);
const env = { ...process.env };
if (nodedir) env.npm_config_nodedir = nodedir;
const rebuild = spawnSync('npm', ['rebuild', ...broken], {
  cwd: root,
  env,
  stdio: 'inherit',
});
const still = broken.filter(name => !loads(name));
if (rebuild.status !== 0 || still.length) {
  console.error(
    `native addons: ${still.join(', ')} still do not load in Node.js ${
      process.version
    }`,
  );
  process.exit(1);
}
