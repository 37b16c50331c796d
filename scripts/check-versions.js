#!/usr/bin/env node
/*
 * Versions, checked in CI:
 * - the private packages (root, packages/*) and every devDependency name each dependency with
 *   one version spec;
 * - a published plugin's dependency range (plugins/* `dependencies`) accepts the installed
 *   version (the ranges also accept the release that today's @backstage/create-app makes);
 * - one installed copy of each framework package: no @backstage/* package, React, React Router
 *   or Material UI v4 below another package's own node_modules.
 * Exits 1 and lists what is wrong.
 */
const fs = require('fs');
const path = require('path');
const semver = require('semver');

const root = path.resolve(__dirname, '..');
const readJson = file => JSON.parse(fs.readFileSync(file, 'utf8'));
const rootPkg = readJson(path.join(root, 'package.json'));
const files = ['package.json'];
for (const pattern of rootPkg.workspaces) {
  const dir = pattern.replace(/\/\*$/, '');
  if (!fs.existsSync(path.join(root, dir))) continue;
  for (const entry of fs.readdirSync(path.join(root, dir))) {
    const file = path.join(dir, entry, 'package.json');
    if (fs.existsSync(path.join(root, file))) files.push(file);
  }
}

const problems = [];
const installedVersion = name => {
  const file = path.join(root, 'node_modules', name, 'package.json');
  return fs.existsSync(file) ? readJson(file).version : undefined;
};

const specs = new Map();
for (const file of files) {
  const pkg = readJson(path.join(root, file));
  const published = !pkg.private && file.startsWith('plugins/');
  for (const [name, spec] of Object.entries(pkg.dependencies ?? {})) {
    if (published) {
      const version = installedVersion(name);
      if (spec.startsWith('^') || spec.includes('||') || spec.startsWith('~')) {
        if (version && !semver.satisfies(version, spec))
          problems.push(
            `${file}: ${name} "${spec}" does not accept the installed ${version}`,
          );
      } else if (!spec.startsWith('workspace:')) {
        problems.push(
          `${file}: ${name} "${spec}" is pinned; a published plugin takes a range`,
        );
      }
      continue;
    }
    note(name, spec, file);
  }
  for (const [name, spec] of Object.entries(pkg.devDependencies ?? {}))
    note(name, spec, file);
}
function note(name, spec, file) {
  if (!specs.has(name)) specs.set(name, new Map());
  const bySpec = specs.get(name);
  if (!bySpec.has(spec)) bySpec.set(spec, []);
  bySpec.get(spec).push(file);
}
for (const [name, bySpec] of specs) {
  if (bySpec.size < 2) continue;
  problems.push(
    `${name} is named with different versions: ${[...bySpec]
      .map(([spec, where]) => `${spec} (${where.join(', ')})`)
      .join('; ')}`,
  );
}

const SINGLE = [
  /^@backstage\//,
  /^react$/,
  /^react-dom$/,
  /^react-router$/,
  /^react-router-dom$/,
  /^@material-ui\/core$/,
];
const copies = new Map();
function walk(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir)) {
    if (entry.startsWith('.')) continue;
    const names = entry.startsWith('@')
      ? fs.readdirSync(path.join(dir, entry)).map(e => `${entry}/${e}`)
      : [entry];
    for (const name of names) {
      const pkgDir = path.join(dir, name);
      const pkgFile = path.join(pkgDir, 'package.json');
      // workspaces are linked from node_modules; their own node_modules are walked below
      if (fs.lstatSync(pkgDir).isSymbolicLink() || !fs.existsSync(pkgFile))
        continue;
      if (SINGLE.some(re => re.test(name))) {
        if (!copies.has(name)) copies.set(name, []);
        copies
          .get(name)
          .push(
            `${readJson(pkgFile).version} at ${path.relative(root, pkgDir)}`,
          );
      }
      walk(path.join(pkgDir, 'node_modules'));
    }
  }
}
walk(path.join(root, 'node_modules'));
for (const file of files.slice(1))
  walk(path.join(root, path.dirname(file), 'node_modules'));
let framework = 0;
for (const [name, where] of copies) {
  framework += 1;
  if (where.length > 1)
    problems.push(
      `${name} is installed ${where.length} times: ${where.join(', ')}`,
    );
}

if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(
  `One version each: ${specs.size} packages across ${files.length} package.json files; ` +
    `one installed copy of each of ${framework} framework packages.`,
);
