#!/usr/bin/env node
/*
 * npm start: the platform sandbox, the backend and the app together, on
 *   app http://localhost:3000, backend http://localhost:7007,
 *   sandbox SSM :7010, Git forge :7020, clusters :7030 and :7031, and its PostgreSQL :7040
 *   for the databases it makes (it says whether this login check is on).
 * Installs dependencies first if they are missing. Ctrl-C stops everything.
 */
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { waitFor, waitForGuestSignIn } = require('./waitFor');

const root = path.resolve(__dirname, '..');
// --production: the backend on PostgreSQL and its cache on Redis (app-config.production.yaml)
const production = process.argv.includes('--production');
const configArgs = [
  '--config',
  '../../app-config.yaml',
  '--config',
  '../../app-config.sandbox.yaml',
  ...(production ? ['--config', '../../app-config.production.yaml'] : []),
];
const children = [];
let stopping = false;

function log(message) {
  process.stdout.write(`[start] ${message}\n`);
}

if (!fs.existsSync(path.join(root, 'node_modules', '.package-lock.json'))) {
  log('installing dependencies (npm ci, a few minutes the first time)…');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// The project runs on the Node.js of its root devDependency `node` (node_modules/.bin, which npm
// scripts put first on PATH). On the very first start, npm ci has only just installed it: go on
// under it.
const projectNode = path.join(root, 'node_modules', '.bin', 'node');
if (
  fs.existsSync(projectNode) &&
  fs.realpathSync(projectNode) !== fs.realpathSync(process.execPath) &&
  !process.env.PORTAL_PROJECT_NODE
) {
  const r = spawnSync(projectNode, process.argv.slice(1), {
    stdio: 'inherit',
    env: {
      ...process.env,
      PORTAL_PROJECT_NODE: '1',
      PATH: `${path.dirname(projectNode)}${path.delimiter}${process.env.PATH}`,
    },
  });
  process.exit(r.status ?? 1);
}

function run(name, command, args, cwd, env = {}) {
  const child = spawn(command, args, {
    cwd: path.join(root, cwd),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const prefix = line => `[${name}] ${line}\n`;
  for (const stream of [child.stdout, child.stderr]) {
    let buffer = '';
    stream.on('data', chunk => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop();
      for (const line of lines) process.stdout.write(prefix(line));
    });
  }
  child.on('exit', code => {
    if (!stopping) {
      log(`${name} exited with ${code}; stopping the rest`);
      stop(code || 1);
    }
  });
  children.push(child);
  return child;
}

function stop(code = 0) {
  stopping = true;
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  setTimeout(() => process.exit(code), 1500).unref();
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

(async () => {
  if (production) {
    await require('./productionServices').prepareProductionServices(log);
    log('production shape: the backend on PostgreSQL, its cache on Redis');
  }
  const sandboxEnv = { SANDBOX_STEP_MS: process.env.SANDBOX_STEP_MS ?? '1500' };
  run(
    'sandbox',
    process.execPath,
    ['--require', '@backstage/cli/config/nodeTransform.cjs', 'src/main.ts'],
    'packages/sandbox',
    sandboxEnv,
  );
  await waitFor('http://127.0.0.1:7020/platform/gitops/pulls', 'the sandbox');
  run(
    'backend',
    'npx',
    ['backstage-cli', 'package', 'start', ...configArgs],
    'packages/backend',
    {
      // the sandbox's SSM stand-in accepts any credentials; the AWS SDK still wants some
      AWS_ACCESS_KEY_ID: 'sandbox',
      AWS_SECRET_ACCESS_KEY: 'sandbox',
      AWS_REGION: 'eu-west-1',
    },
  );
  run(
    'app',
    'npx',
    ['backstage-cli', 'package', 'start', ...configArgs],
    'packages/app',
    {
      BROWSER: 'none',
    },
  );
  await waitFor('http://localhost:7007/api/postgres/health', 'the backend');
  const refs = await waitForGuestSignIn();
  log(`the guest signs in as ${refs.join(', ')}`);
  await waitFor('http://localhost:3000', 'the app');
  log(
    'ready: open http://localhost:3000 (pull requests: http://127.0.0.1:7020/platform/gitops/pulls). Ctrl-C stops everything.',
  );
})().catch(e => {
  log(e.message);
  stop(1);
});
