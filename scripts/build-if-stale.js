// `npm start` runs this first: build only when a source file is newer than the compiled app,
// so starting an already built tree takes no compile time.
const fs = require('node:fs');
const path = require('node:path');
const { execSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const output = path.join(root, 'dist/.build-stamp');

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

const built = fs.existsSync(output) ? fs.statSync(output).mtimeMs : 0;
const sources = Math.max(
  newestSource(path.join(root, 'libs')),
  newestSource(path.join(root, 'apps')),
);
if (built < sources) execSync('npm run build --silent', { cwd: root, stdio: 'inherit' });
