#!/usr/bin/env node
/*
 * The import boundaries of the repository (issue #28), checked on the source text:
 *  - packages/sandbox imports nothing of ours: no plugin package (`@bizmatters/plugin-*`) and no
 *    path into plugins/ — the stand-ins keep their own rules, as the real services do;
 *  - a plugin's shipped src/ (not tests, __tests__/, __testUtils__/, setupTests) imports neither
 *    the sandbox nor a test package (`@bizmatters/sandbox`, `@bizmatters/test-backend`), nor
 *    another package's src/ (a relative path out of its own folder, or `<package>/src/...`);
 *  - a plugin's test utilities (src/__testUtils__/) do not import the sandbox: integration
 *    harnesses live in test packages (packages/test-backend).
 * Prints each crossing as file:line and exits 1 if there is any.
 *
 *   node scripts/check-boundaries.js
 */
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const SOURCE = /\.(ts|tsx|js|jsx|mjs|cjs)$/;
const SKIP_DIRS = new Set(['node_modules', 'dist', 'dist-types', 'coverage']);

function walk(dir, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(entry.name)) continue;
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(file, out);
    else if (SOURCE.test(entry.name)) out.push(file);
  }
  return out;
}

/** Every module specifier of a file (import/export from, import(), require()) with its line. */
function specifiers(file) {
  const text = fs.readFileSync(file, 'utf8');
  const found = [];
  const re =
    /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])([^'"\n]+)\1/gm;
  let m;
  while ((m = re.exec(text))) {
    const line = text.slice(0, m.index).split('\n').length;
    found.push({ spec: m[2], line });
  }
  return found;
}

const isTestFile = file =>
  /\.test\.[jt]sx?$/.test(file) ||
  /(^|[\\/])(__tests__|__testUtils__|__mocks__)[\\/]/.test(file) ||
  /[\\/]setupTests\.[jt]sx?$/.test(file);

const problems = [];
const report = (file, line, what) =>
  problems.push(`${path.relative(root, file)}:${line}: ${what}`);

// the sandbox: nothing of ours
const pluginsDir = path.join(root, 'plugins');
for (const file of walk(path.join(root, 'packages', 'sandbox'))) {
  for (const { spec, line } of specifiers(file)) {
    const resolved = spec.startsWith('.')
      ? path.resolve(path.dirname(file), spec)
      : undefined;
    if (/^@bizmatters\/plugin-/.test(spec)) {
      report(file, line, `the sandbox imports our plugin '${spec}'`);
    } else if (resolved && resolved.startsWith(pluginsDir + path.sep)) {
      report(file, line, `the sandbox imports '${spec}' from plugins/`);
    }
  }
}

// the plugins' src: nothing of the sandbox, test packages or another package's src
for (const plugin of fs.existsSync(pluginsDir)
  ? fs.readdirSync(pluginsDir)
  : []) {
  const own = path.join(pluginsDir, plugin);
  for (const file of walk(path.join(own, 'src'))) {
    const shipped = !isTestFile(file);
    const testUtil = /[\\/]__testUtils__[\\/]/.test(file);
    for (const { spec, line } of specifiers(file)) {
      if (testUtil && /^@bizmatters\/sandbox(\/|$)/.test(spec)) {
        report(
          file,
          line,
          `test utilities in a shipped package import '${spec}': move the harness to a test package`,
        );
      }
      if (!shipped) continue;
      if (/^@bizmatters\/(sandbox|test-[\w-]+)(\/|$)/.test(spec)) {
        report(file, line, `shipped src imports '${spec}'`);
      } else if (/^@bizmatters\/[\w-]+\/src(\/|$)/.test(spec)) {
        report(
          file,
          line,
          `shipped src imports another package's src: '${spec}'`,
        );
      } else if (spec.startsWith('.')) {
        const resolved = path.resolve(path.dirname(file), spec);
        if (!resolved.startsWith(own + path.sep)) {
          report(
            file,
            line,
            `shipped src imports '${spec}', outside ${path.relative(
              root,
              own,
            )}`,
          );
        }
      }
    }
  }
}

if (problems.length) {
  process.stderr.write(
    `Import boundaries crossed (${problems.length}):\n${problems.join('\n')}\n`,
  );
  process.exit(1);
}
process.stdout.write('Import boundaries: none crossed.\n');
