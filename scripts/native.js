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

/**
 * The running Node's own headers (the folder holding `common.gypi`): next to its binary (a
 * system Node, or the node-linux-* package), in the node-linux-* dependency of the npm `node`
 * package (whose bin/node is a copy), or in an earlier copy under node_modules/.cache (npm
 * install prunes that dependency). Undefined when there are none.
 */
function findHeaders() {
  const prefix = path.dirname(path.dirname(fs.realpathSync(process.execPath)));
  const platform = `node-${process.platform}-${process.arch}`;
  const candidates = [
    path.join(prefix, 'include', 'node'),
    path.join(prefix, 'node_modules', platform, 'include', 'node'),
    path.join(path.dirname(prefix), platform, 'include', 'node'),
    path.join(cacheDir(), 'include', 'node'),
  ];
  return candidates.find(dir => fs.existsSync(path.join(dir, 'common.gypi')));
}

function cacheDir() {
  return path.join(
    root,
    'node_modules',
    '.cache',
    `node-headers-${process.version}`,
  );
}

/**
 * Makes `dir` a nodedir for node-gyp with the running Node's headers (`include/node/…` and
 * `common.gypi` at its root); returns it, or undefined when the headers are not found.
 */
function makeNodedir(dir) {
  const headers = findHeaders();
  if (!headers) return undefined;
  if (
    path.resolve(headers) !== path.join(path.resolve(dir), 'include', 'node')
  ) {
    fs.mkdirSync(path.join(dir, 'include'), { recursive: true });
    fs.cpSync(headers, path.join(dir, 'include', 'node'), { recursive: true });
  }
  fs.copyFileSync(
    path.join(headers, 'common.gypi'),
    path.join(dir, 'common.gypi'),
  );
  return dir;
}

// `node scripts/native.js --nodedir <dir>`: only make <dir> a nodedir for the Node running this
// (scripts/stock-app.sh builds the stock app's addons with it) and print it.
const nodedirFlag = process.argv.indexOf('--nodedir');
if (nodedirFlag !== -1) {
  const made = makeNodedir(process.argv[nodedirFlag + 1]);
  if (!made) {
    console.error(
      `no Node.js headers (common.gypi) found for ${process.execPath}`,
    );
    process.exit(1);
  }
  console.log(made);
  process.exit(0);
}

const broken = ADDONS.filter(name => !loads(name));
if (broken.length === 0) process.exit(0);

const nodedir = makeNodedir(cacheDir());
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
