// Builds the publishable package of libs/auth into dist/package: compiled JavaScript and type
// declarations of the library (src/) and its test kit (testing/), the package manifest, README and
// CHANGELOG — and no spec files. `node scripts/build-package.js` builds; `--if-stale` builds only
// when a source is newer than the last package build. When `npm run build` is fresh (as in CI,
// which builds just before), its output for libs/auth is reused instead of compiling again: the
// same compiler options, minus source maps. Used by scripts/pack-smoke.js and test/package/.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const libRoot = path.join(root, 'libs', 'auth');
const outDir = path.join(root, 'dist', 'package');
const stamp = path.join(root, 'dist', '.package-stamp');

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function isStale() {
  if (!fs.existsSync(stamp) || !fs.existsSync(path.join(outDir, 'package.json'))) return true;
  const sources = Math.max(
    newestSource(libRoot),
    ...['tsconfig.json', 'tsconfig.lib.json', 'README.md', 'CHANGELOG.md']
      .map((file) => path.join(root, file))
      .filter((file) => fs.existsSync(file))
      .map((file) => fs.statSync(file).mtimeMs),
  );
  return fs.statSync(stamp).mtimeMs < sources;
}

/** The output of `npm run build` for libs/auth, if it is newer than every source of it. */
function freshRootBuild() {
  const built = path.join(root, 'dist', 'libs', 'auth');
  const buildStamp = path.join(root, 'dist', '.build-stamp');
  if (!fs.existsSync(buildStamp) || !fs.existsSync(path.join(built, 'src', 'index.js'))) return;
  return fs.statSync(buildStamp).mtimeMs > newestSource(libRoot) ? built : undefined;
}

/** Copies compiled files whose TypeScript source still exists (never a stale or spec file). */
function copyCompiled(from, to, sources) {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(sources, entry.name);
    if (entry.isDirectory()) {
      if (fs.existsSync(source))
        copyCompiled(path.join(from, entry.name), path.join(to, entry.name), source);
      continue;
    }
    const match = /^(.*)\.(js|d\.ts)$/.exec(entry.name);
    if (!match || /\.spec$|\.e2e-spec$/.test(match[1])) continue;
    if (!fs.existsSync(path.join(sources, `${match[1]}.ts`))) continue;
    fs.mkdirSync(to, { recursive: true });
    fs.copyFileSync(path.join(from, entry.name), path.join(to, entry.name));
  }
}

/** Builds the package (a clean build, so no stale file is ever packed) and returns its folder. */
function buildPackage({ ifStale = false } = {}) {
  if (ifStale && !isStale()) return outDir;
  fs.rmSync(outDir, { recursive: true, force: true });
  const built = freshRootBuild();
  if (built) {
    for (const part of ['src', 'testing']) {
      copyCompiled(path.join(built, part), path.join(outDir, part), path.join(libRoot, part));
    }
  } else {
    const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
    execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.lib.json')], {
      cwd: root,
      stdio: 'inherit',
    });
  }
  fs.copyFileSync(path.join(libRoot, 'package.json'), path.join(outDir, 'package.json'));
  for (const doc of ['README.md', 'CHANGELOG.md']) {
    const from = path.join(root, doc);
    if (fs.existsSync(from)) fs.copyFileSync(from, path.join(outDir, doc));
  }
  fs.writeFileSync(stamp, new Date().toISOString());
  return outDir;
}

module.exports = { buildPackage, packageDir: outDir };

if (require.main === module) {
  const dir = buildPackage({ ifStale: process.argv.includes('--if-stale') });
  console.log(`package built in ${path.relative(root, dir)}`);
}
