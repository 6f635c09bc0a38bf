// tsc does not rewrite `paths` aliases; after a build, point `@app/*` requires at the compiled files.
const fs = require('node:fs');
const path = require('node:path');

const dist = path.join(__dirname, '..', 'dist');
const aliases = {
  '@app/auth/testing': 'libs/auth/testing/index.js',
  '@app/auth-client': 'libs/auth-client/src/index.js',
  '@app/auth': 'libs/auth/src/index.js',
};

function* jsFiles(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* jsFiles(full);
    else if (entry.name.endsWith('.js')) yield full;
  }
}

for (const file of jsFiles(dist)) {
  const source = fs.readFileSync(file, 'utf8');
  const rewritten = source.replace(/require\("(@app\/[^"]+)"\)/g, (whole, name) => {
    const target = aliases[name];
    if (!target) return whole;
    let relative = path
      .relative(path.dirname(file), path.join(dist, target))
      .split(path.sep)
      .join('/');
    if (!relative.startsWith('.')) relative = `./${relative}`;
    return `require("${relative}")`;
  });
  if (rewritten !== source) fs.writeFileSync(file, rewritten);
}

// Marks when the build finished, for scripts/build-if-stale.js.
fs.writeFileSync(path.join(dist, '.build-stamp'), new Date().toISOString());
