#!/usr/bin/env bash
# The install story, proven on a stock app: packs the four plugins (npm pack), makes an app with
# @backstage/create-app in a temporary folder outside the repository, installs the tarballs into
# it with the commands and code of the plugins' READMEs, type-checks and builds it, then starts
# its backend and checks the plugins answer and the app page loads with the plugin in it.
#
#   scripts/stock-app.sh            # from the repository root (CI runs it so)
#
# Environment: CREATE_APP_VERSION (default latest), STOCK_APP_KEEP=1 keeps the temporary folder,
# STOCK_APP_BROWSER=0 skips the browser check (it needs /usr/bin/chromium, as the e2e tests do;
# its screenshots go to artifacts/stock-app).
# Prints each step with its time; exits non-zero at the first failure (a second copy of a framework
# package is reported where it is found and fails the run at the end).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CREATE_APP_VERSION=${CREATE_APP_VERSION:-latest}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/stock-app.XXXXXX")
APP="$WORK/stock-app"
PACKS="$WORK/packs"
start=$(date +%s)
backend_pid=
backend_ok=
problems=()
step() { printf '\n=== stock app: %s (%ss)\n' "$1" "$(($(date +%s) - start))"; }
fail() {
  echo "stock app: FAILED: $*" >&2
  exit 1
}
cleanup() {
  local status=$?
  if [ -n "$backend_pid" ]; then kill -- "-$backend_pid" 2>/dev/null || true; fi
  if [ "$status" -ne 0 ] && [ -z "$backend_ok" ] && [ -f "$WORK/backend.log" ]; then
    echo '--- last lines of the backend log' >&2
    tail -40 "$WORK/backend.log" >&2
  fi
  if [ -n "${STOCK_APP_KEEP:-}" ]; then echo "stock app: kept $WORK"; else rm -rf "$WORK"; fi
  echo "stock app: $([ "$status" -eq 0 ] && echo passed || echo failed) in $(($(date +%s) - start))s"
}
trap cleanup EXIT

case "$WORK" in "$ROOT"/*) fail "the temporary folder $WORK is inside the repository" ;; esac

# ---------------------------------------------------------------------------------------------
step "pack the plugins (tsc, backstage-cli package build, npm pack) into $PACKS"
mkdir -p "$PACKS"
(cd "$ROOT" && npm run tsc --silent)
for p in postgres-common postgres-node postgres-backend scaffolder-backend-module-postgres catalog-backend-module-postgres postgres; do
  dir="$ROOT/plugins/$p"
  cp "$dir/package.json" "$WORK/$p.package.json"
  # npm pack runs the package's prepack/postpack (backstage-cli rewrites package.json for
  # publishing and restores it); put it back by hand if packing stopped half-way.
  if ! (cd "$dir" && npx backstage-cli package build && npm pack --silent --pack-destination "$PACKS" >/dev/null); then
    cmp -s "$WORK/$p.package.json" "$dir/package.json" || cp "$WORK/$p.package.json" "$dir/package.json"
    fail "packing plugins/$p"
  fi
  cmp -s "$WORK/$p.package.json" "$dir/package.json" || fail "npm pack left plugins/$p/package.json changed"
done
ls -l "$PACKS"
tgz() { ls "$PACKS"/bizmatters-"$1"-[0-9]*.tgz; }
# edit FILE REGEX REPLACEMENT: one README edit of a file create-app wrote; fails if REGEX is absent
edit() {
  node -e '
    const fs = require("fs");
    const [file, from, to] = process.argv.slice(1);
    const src = fs.readFileSync(file, "utf8");
    const re = new RegExp(from);
    if (!re.test(src)) throw new Error(`${file}: no ${re} (has create-app changed it?)`);
    fs.writeFileSync(file, src.replace(re, to));
  ' "$@"
}

# ---------------------------------------------------------------------------------------------
step "a Node.js that @backstage/create-app supports (22 or 24), and yarn"
mkdir -p "$WORK/bin"
node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
app_node=
for candidate in "$(command -v node)" "$ROOT/node_modules/.bin/node"; do
  if [ -x "$candidate" ] && case "$(node_major "$candidate")" in 22 | 24) true ;; *) false ;; esac then
    app_node=$(readlink -f "$candidate")
    break
  fi
done
if [ -z "$app_node" ]; then
  # This machine's Node is too old for create-app: the npm registry's `node` package ships Node 24.
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/stock-app-node24"
  if [ ! -x "$cache/node_modules/.bin/node" ]; then
    npm install --silent --no-save --no-audit --no-fund --prefix "$cache" node@24 >/dev/null
  fi
  app_node=$(readlink -f "$cache/node_modules/.bin/node")
fi
ln -s "$app_node" "$WORK/bin/node"
# Native addons (better-sqlite3) must be built against the headers of the Node that runs them;
# node-gyp cannot download them here, and npm's nodedir may name another Node's.
npm_config_nodedir=$("$app_node" "$ROOT/scripts/native.js" --nodedir "$WORK/nodedir") ||
  fail "no Node headers (common.gypi) found for $app_node"
export npm_config_nodedir
export PATH="$WORK/bin:$PATH"
echo "node for the app: $(node --version) ($app_node)"

# create-app's own package, from the npm registry; the app's yarn is the one its template ships
# (corepack would fetch it from yarn's own host, which is not reachable here).
npm install --silent --no-save --no-audit --no-fund --prefix "$WORK/create-app" \
  "@backstage/create-app@$CREATE_APP_VERSION" >/dev/null
ca="$WORK/create-app/node_modules/@backstage/create-app"
yarn_cjs=$(ls "$ca"/templates/default-app/.yarn/releases/yarn-*.cjs)
printf '#!/bin/sh\nexec node "%s" "$@"\n' "$yarn_cjs" >"$WORK/bin/yarn"
chmod +x "$WORK/bin/yarn"
YARN_NPM_REGISTRY_SERVER=$(npm config get registry)
export YARN_NPM_REGISTRY_SERVER="${YARN_NPM_REGISTRY_SERVER%/}"
export YARN_ENABLE_IMMUTABLE_INSTALLS=false YARN_ENABLE_PROGRESS_BARS=false YARN_ENABLE_TELEMETRY=0
# `yarn add` asks Algolia (not reachable here) whether an @types package exists, and yarn 4.13 on
# Node 24 crashes retrying that request ("The `onCancel` handler was attached after the promise
# settled"); our packages ship their own types.
export YARN_TS_ENABLE_AUTO_TYPES=false
echo "create-app $(node -p "require('$ca/package.json').version"), yarn $(yarn --version), registry $YARN_NPM_REGISTRY_SERVER"

# ---------------------------------------------------------------------------------------------
step "@backstage/create-app --skip-install (app name stock-app, as npx @backstage/create-app makes it) in $WORK"
(cd "$WORK" && BACKSTAGE_APP_NAME=stock-app "$WORK/create-app/node_modules/.bin/backstage-create-app" --skip-install)
echo "Backstage release $(node -p "require('$APP/backstage.json').version")"
cd "$APP"
# Stands in for the npm registry: the other plugins depend on @bizmatters/plugin-postgres-common
# and the backend plugins on @bizmatters/plugin-postgres-node, which yarn would otherwise fetch
# from there.
node -e '
  const fs = require("fs"); const p = JSON.parse(fs.readFileSync("package.json", "utf8"));
  p.resolutions = {
    ...p.resolutions,
    "@bizmatters/plugin-postgres-common": "file:" + process.argv[1],
    "@bizmatters/plugin-postgres-node": "file:" + process.argv[2],
  };
  fs.writeFileSync("package.json", JSON.stringify(p, null, 2) + "\n");
' "$(tgz plugin-postgres-common)" "$(tgz plugin-postgres-node)"

# The app itself (the root README's first two commands). create-app 0.9.2's better-sqlite3 12
# aborts Node 24 when a statement is garbage-collected (13 does not, and ships prebuilt
# binaries); its caret ranges, installed today, mix two releases (its signals backend needs
# backend-defaults 0.19, the app asks for ^0.18.0: the backend does not start), so a platform
# team keeps the app on the current release with `yarn backstage-cli versions:bump`. That needs
# versions.backstage.io, not reachable here: `yarn up '@backstage/*'` stands in for it.
step "yarn --cwd packages/backend add better-sqlite3@^13.0.3 (the app's first install)"
yarn --cwd packages/backend add 'better-sqlite3@^13.0.3'
step "yarn up '@backstage/*' (for yarn backstage-cli versions:bump)"
yarn up '@backstage/*'
echo "the app's @backstage/backend-defaults: $(node -p "require('./packages/backend/package.json').dependencies['@backstage/backend-defaults']")"

# ---------------------------------------------------------------------------------------------
# From here on, each command and each file edit is one of the READMEs' install steps, with the
# package name replaced by its tarball: plugins/scaffolder-backend-module-postgres/README.md,
# plugins/postgres-backend/README.md, plugins/catalog-backend-module-postgres/README.md and
# plugins/postgres/README.md.
step "backend: yarn --cwd packages/backend add the backend plugins (READMEs' Install)"
yarn --cwd packages/backend add \
  "@bizmatters/plugin-scaffolder-backend-module-postgres@file:$(tgz plugin-scaffolder-backend-module-postgres)" \
  "@bizmatters/plugin-postgres-backend@file:$(tgz plugin-postgres-backend)" \
  "@bizmatters/plugin-catalog-backend-module-postgres@file:$(tgz plugin-catalog-backend-module-postgres)"
# the permission policy of plugins/postgres-backend/README.md#permission-policy, as it is there
yarn --cwd packages/backend add \
  "@bizmatters/plugin-postgres-common@file:$(tgz plugin-postgres-common)" \
  @backstage/plugin-kubernetes-common
node - "$ROOT/plugins/postgres-backend/README.md" packages/backend/src/permissionPolicy.ts <<'EOF'
const fs = require('fs');
const [readme, out] = process.argv.slice(2);
const blocks = [...fs.readFileSync(readme, 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map(m => m[1]);
const policy = blocks.find(b => b.startsWith('// packages/backend/src/permissionPolicy.ts\n'));
if (!policy) throw new Error(`no permissionPolicy.ts block in ${readme}`);
fs.writeFileSync(out, policy);
EOF
edit packages/backend/src/index.ts \
  "backend\\.add\\(\\s*import\\('@backstage/plugin-permission-backend-module-allow-all-policy'\\),?\\s*\\);" \
  "backend.add(import('./permissionPolicy'));"
edit packages/backend/src/index.ts '\nbackend\.start\(\);' "
backend.add(import('@bizmatters/plugin-scaffolder-backend-module-postgres'));
backend.add(import('@bizmatters/plugin-postgres-backend'));
backend.add(import('@bizmatters/plugin-catalog-backend-module-postgres'));

backend.start();"
# the agents' actions over MCP (plugins/postgres-backend/README.md#actions-for-agents-mcp):
# create-app's backend already has the MCP actions backend; an app without it adds it
if ! grep -q "plugin-mcp-actions-backend" packages/backend/src/index.ts; then
  yarn --cwd packages/backend add @backstage/plugin-mcp-actions-backend
  edit packages/backend/src/index.ts '\nbackend\.start\(\);' "
backend.add(import('@backstage/plugin-mcp-actions-backend'));

backend.start();"
fi
git --no-pager diff --stat

step "app: yarn --cwd packages/app add @bizmatters/plugin-postgres, its /alpha plugin in createApp (README's new frontend system)"
yarn --cwd packages/app add "@bizmatters/plugin-postgres@file:$(tgz plugin-postgres)"
edit packages/app/src/App.tsx '\n\nexport default createApp' "
import postgresPlugin from '@bizmatters/plugin-postgres/alpha';

export default createApp"
edit packages/app/src/App.tsx 'features: \[([^\]]*)\]' 'features: [$1, postgresPlugin]'
git --no-pager diff packages/app/src/App.tsx packages/backend/src/index.ts

# ---------------------------------------------------------------------------------------------
step "the framework packages our plugins load are the copies the app's own plugins load"
# A package our plugin resolves to another version than the app's host for it is a second copy
# in the bundle or the backend (a stock app of today also has its own duplicates; those are not
# ours). Reported here, failed at the end, so that the checks below still run.
node - >"$WORK/copies.txt" <<'EOF_NODE' || problems+=("our plugins load their own copies of framework packages (above)")
const fs = require('fs');
const path = require('path');
const version = (name, from) => {
  const dir = fs.realpathSync(path.resolve(from));
  const file = require.resolve(`${name}/package.json`, { paths: [dir] });
  return `${require(file).version}`;
};
const home = (pkg, workspace) => path.dirname(require.resolve(`${pkg}/package.json`, { paths: [path.resolve(workspace)] }));
// framework package -> [workspace, the app's package that hosts it, our packages that use it]
const checks = {
  '@backstage/frontend-plugin-api': ['packages/app', '@backstage/frontend-defaults', ['@bizmatters/plugin-postgres']],
  '@backstage/core-plugin-api': ['packages/app', '@backstage/plugin-catalog', ['@bizmatters/plugin-postgres']],
  '@backstage/plugin-catalog-react': ['packages/app', '@backstage/plugin-catalog', ['@bizmatters/plugin-postgres']],
  '@backstage/plugin-scaffolder-react': ['packages/app', '@backstage/plugin-scaffolder', ['@bizmatters/plugin-postgres']],
  '@backstage/backend-plugin-api': ['packages/backend', '@backstage/backend-defaults',
    ['@bizmatters/plugin-postgres-backend', '@bizmatters/plugin-scaffolder-backend-module-postgres',
     '@bizmatters/plugin-catalog-backend-module-postgres']],
  '@backstage/plugin-scaffolder-node': ['packages/backend', '@backstage/plugin-scaffolder-backend',
    ['@bizmatters/plugin-scaffolder-backend-module-postgres']],
  '@backstage/plugin-catalog-node': ['packages/backend', '@backstage/plugin-catalog-backend',
    ['@bizmatters/plugin-postgres-backend', '@bizmatters/plugin-scaffolder-backend-module-postgres',
     '@bizmatters/plugin-catalog-backend-module-postgres']],
  '@backstage/plugin-permission-common': ['packages/backend', '@backstage/plugin-permission-backend',
    ['@bizmatters/plugin-postgres-backend', '@bizmatters/plugin-scaffolder-backend-module-postgres', '@bizmatters/plugin-postgres-common']],
  '@backstage/plugin-permission-node': ['packages/backend', '@backstage/plugin-permission-backend',
    ['@bizmatters/plugin-postgres-backend']],
};
let bad = 0;
for (const [name, [workspace, host, ours]] of Object.entries(checks)) {
  const hostDir = home(host, workspace);
  const want = version(name, hostDir);
  for (const pkg of ours) {
    const got = version(name, home(pkg, workspace));
    const ok = got === want;
    if (!ok) bad++;
    console.log(`${ok ? 'same' : 'TWO COPIES'}  ${name}: ${host} loads ${want}, ${pkg} loads ${got}`);
  }
}
process.exit(bad ? 1 : 0);
EOF_NODE
cat "$WORK/copies.txt"

step "yarn tsc"
yarn tsc

step "yarn build:all (backstage-cli repo build --all)"
yarn build:all
grep -lq 'postgres' packages/app/dist/static/*.js || fail "the app bundle has no postgres plugin"

# ---------------------------------------------------------------------------------------------
step "start the backend (it serves the built app) and ask the plugins"
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
port=$(free_port)
closed_port=$(free_port)
base="http://localhost:$port"
# the ports (7007 may be taken by another portal on this machine), an entity that names a
# database, a Kubernetes cluster (create-app configures none) and the READMEs' GitOps repositories
cat >app-config.local.yaml <<EOF
app:
  baseUrl: $base
backend:
  baseUrl: $base
  listen:
    port: $port
  cors:
    origin: $base
  actions:
    pluginSources: [postgres]
catalog:
  locations:
    - type: file
      target: ../../stock-app-entities.yaml
kubernetes: # one cluster, nothing listening: the plugin reads through the Kubernetes backend
  serviceLocatorMethod: { type: multiTenant }
  clusterLocatorMethods:
    - type: config
      clusters:
        - name: stock-cluster
          url: http://127.0.0.1:$closed_port
          authProvider: serviceAccount
          serviceAccountToken: no-token
postgres:
  gitops:
    repositories:
      - { host: github.com, owner: acme, repo: gitops, baseBranch: main }
EOF
cat >stock-app-entities.yaml <<'EOF'
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: orders
  annotations:
    bizmatters.io/postgres-instances: orders/orders-db
spec:
  type: service
  lifecycle: production
  owner: user:development/guest # the guest provider's user, so the guest may read its databases
EOF
setsid yarn workspace backend start >"$WORK/backend.log" 2>&1 &
backend_pid=$!
for _ in $(seq 180); do
  curl -sf "$base/api/postgres/health" >/dev/null 2>&1 && break
  kill -0 "$backend_pid" 2>/dev/null || fail "the backend exited"
  sleep 1
done
check() { # name, expected status, curl args…
  local name=$1 want=$2
  shift 2
  local got
  got=$(curl -s -o "$WORK/body" -w '%{http_code}' "$@")
  echo "$name: HTTP $got $(head -c 200 "$WORK/body")"
  [ "$got" = "$want" ] || fail "$name: HTTP $got, expected $want"
}
check "GET /api/postgres/health" 200 "$base/api/postgres/health"
check "GET /api/postgres/v1/databases without credentials" 401 "$base/api/postgres/v1/databases"
token=$(curl -sf "$base/api/auth/guest/refresh?env=development" -H 'X-Requested-With: XMLHttpRequest' |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).backstageIdentity.token))')
auth=(-H "Authorization: Bearer $token")
for _ in $(seq 60); do # the catalog reads its locations shortly after the start
  curl -sf "${auth[@]}" "$base/api/catalog/entities/by-name/component/default/orders" >/dev/null && break
  sleep 1
done
check "GET /api/postgres/v1/entities/component/default/orders/databases as guest" 200 \
  "${auth[@]}" "$base/api/postgres/v1/entities/component/default/orders/databases"
grep -q '"cluster":"stock-cluster"' "$WORK/body" || fail "no answer about stock-cluster through the Kubernetes backend"
check "GET /api/scaffolder/v2/actions as guest" 200 "${auth[@]}" "$base/api/scaffolder/v2/actions"
actions="postgres:credentials:write postgres:manifests:create postgres:database:change postgres:credentials:delete"
for action in $actions; do
  grep -q "\"$action\"" "$WORK/body" || fail "the scaffolder has no $action action"
done
echo "scaffolder actions: $actions"
# the database provider: its claims route is for services only, and its refresh is scheduled
check "GET /api/postgres/v1/claims as guest (services only)" 403 "${auth[@]}" "$base/api/postgres/v1/claims"
grep -q 'postgres-databases:refresh' "$WORK/backend.log" || fail "the catalog has no postgres-databases:refresh task"
echo "catalog: the postgres-databases provider's refresh is scheduled"
# an MCP client's first two calls (streamable HTTP, JSON-RPC) as the guest: our four actions
mcp() { # JSON-RPC body
  curl -s -o "$WORK/body" -w '%{http_code}' -X POST "$base/api/mcp-actions/v1" "${auth[@]}" \
    -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -d "$1"
}
got=$(mcp '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"stock-app","version":"1"}}}')
[ "$got" = 200 ] || fail "MCP initialize: HTTP $got $(head -c 300 "$WORK/body")"
got=$(mcp '{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{}}')
[ "$got" = 200 ] || fail "MCP tools/list: HTTP $got $(head -c 300 "$WORK/body")"
for action in list-databases get-database-health explain-database get-connection-info; do
  grep -q "$action" "$WORK/body" || fail "the MCP actions backend lists no $action: $(head -c 500 "$WORK/body")"
done
echo "MCP tools/list as guest: list-databases get-database-health explain-database get-connection-info"
check "GET / (the built app)" 200 "$base/"
backend_ok=1

if [ "${STOCK_APP_BROWSER:-1}" != 0 ]; then
  step "the app in Chromium: sign in as guest, the orders service's Databases tab"
  [ -x /usr/bin/chromium ] || fail "no /usr/bin/chromium (apt-get install chromium, or STOCK_APP_BROWSER=0)"
  mkdir -p "$ROOT/artifacts/stock-app"
  NODE_PATH="$ROOT/node_modules" node "$ROOT/scripts/stock-app-browser.js" "$base" "$ROOT/artifacts/stock-app"
fi
step "done"
if [ ${#problems[@]} -gt 0 ]; then
  printf 'stock app: %s\n' "${problems[@]}" >&2
  exit 1
fi
