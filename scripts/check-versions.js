#!/usr/bin/env node
/*
 * One version of each dependency across the repository: every workspace package.json that
 * names a package must name it with the same version spec. Exits 1 and lists the conflicts.
 */
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const rootPkg = JSON.parse(
  fs.readFileSync(path.join(root, 'package.json'), 'utf8'),
);
const files = ['package.json'];
for (const pattern of rootPkg.workspaces) {
  const dir = path.join(root, pattern.replace(/\/\*$/, ''));
  if (!fs.existsSync(dir)) continue;
  for (const entry of fs.readdirSync(dir)) {
    const file = path.join(pattern.replace(/\/\*$/, ''), entry, 'package.json');
    if (fs.existsSync(path.join(root, file))) files.push(file);
  }
}

const specs = new Map();
for (const file of files) {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
    for (const [name, spec] of Object.entries(pkg[field] ?? {})) {
      if (field === 'peerDependencies') continue;
      if (!specs.has(name)) specs.set(name, new Map());
      const bySpec = specs.get(name);
      if (!bySpec.has(spec)) bySpec.set(spec, []);
      bySpec.get(spec).push(file);
    }
  }
}

const conflicts = [...specs].filter(([, bySpec]) => bySpec.size > 1);
if (conflicts.length) {
  console.error('Packages named with different versions:');
  for (const [name, bySpec] of conflicts) {
    console.error(`  ${name}`);
    for (const [spec, where] of bySpec)
      console.error(`    ${spec}: ${where.join(', ')}`);
  }
  process.exit(1);
}
console.log(
  `One version each: ${specs.size} packages across ${files.length} package.json files.`,
);
