import { execFileSync, spawnSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';

// scripts/ is plain CommonJS (run by CI before the tests); the build is skipped when fresh.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildPackage, packageDir } = require('../../scripts/build-package.js') as {
  buildPackage: (options?: { ifStale?: boolean }) => string;
  packageDir: string;
};

interface Manifest {
  name: string;
  main: string;
  types: string;
  exports: Record<string, string | { types: string; default: string }>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** Packages the library must never load by itself: optional peers and other transports. */
const NOT_LOADED = [
  '@nestjs/swagger',
  '@nestjs/graphql',
  '@nestjs/apollo',
  '@apollo/server',
  'graphql',
  '@nestjs/websockets',
  '@nestjs/platform-socket.io',
  'socket.io',
  '@nestjs/platform-express',
  'express',
  '@nestjs/platform-fastify',
  'fastify',
  '@nestjs/testing',
  'supertest',
];

/** Every package a child process loads, from Node's own module tracing (CommonJS and ESM). */
function packagesLoadedBy(script: string): { loaded: Set<string>; attempted: Set<string> } {
  const { stderr, status } = spawnSync(process.execPath, ['-e', script], {
    env: { ...process.env, NODE_DEBUG: 'module,esm' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (status !== 0) throw new Error(`child failed:\n${stderr.slice(-2000)}`);
  const loaded = new Set<string>();
  for (const [, name] of stderr.matchAll(/node_modules\/((?:@[^/"'\s]+\/)?[^/"'\s]+)\//g)) {
    loaded.add(name);
  }
  // `require('x')` is traced as `looking for "x" in […]` even when x cannot be found.
  const attempted = new Set<string>();
  for (const [, name] of stderr.matchAll(/looking for "((?:@[^/"]+\/)?[^/".][^/"]*)/g)) {
    attempted.add(name);
  }
  return { loaded, attempted };
}

describe('the publishable package (dist/package)', () => {
  let manifest: Manifest;
  let files: string[];

  beforeAll(() => {
    buildPackage({ ifStale: true });
    manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const packed = JSON.parse(
      execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: packageDir,
        encoding: 'utf8',
      }),
    ) as { files: { path: string }[] }[];
    files = packed[0].files.map((file) => file.path).sort();
  }, 120_000);

  it('exports the root and ./testing with types, and the files exist', () => {
    expect(Object.keys(manifest.exports).sort()).toEqual(['.', './package.json', './testing']);
    for (const key of ['.', './testing']) {
      const target = manifest.exports[key] as { types: string; default: string };
      expect(fs.existsSync(path.join(packageDir, target.types))).toBe(true);
      expect(fs.existsSync(path.join(packageDir, target.default))).toBe(true);
      expect(files).toContain(target.types.replace('./', ''));
      expect(files).toContain(target.default.replace('./', ''));
    }
    expect(files).toContain(manifest.main.replace('./', ''));
    expect(files).toContain(manifest.types.replace('./', ''));
  });

  it('npm pack holds no test code, no TypeScript sources, nothing but the library and docs', () => {
    expect(files).toContain('package.json');
    expect(files).toContain('README.md');
    for (const file of files) {
      expect(file).not.toMatch(/\.spec\.|e2e-spec|(^|\/)(test|__tests__)\//);
      if (file.endsWith('.ts')) expect(file).toMatch(/\.d\.ts$/);
      expect(file).toMatch(/^(src\/|testing\/|package\.json$|README\.md$|CHANGELOG\.md$)/);
    }
  });

  it('Nest packages are peer dependencies; optional ones are marked optional', () => {
    const peers = manifest.peerDependencies ?? {};
    for (const name of ['@nestjs/common', '@nestjs/core', '@nestjs/passport', 'reflect-metadata']) {
      expect(peers[name]).toBeDefined();
      expect(manifest.dependencies?.[name]).toBeUndefined();
    }
    for (const name of ['@nestjs/swagger', '@nestjs/graphql', '@nestjs/websockets']) {
      expect(manifest.peerDependenciesMeta?.[name]?.optional).toBe(true);
    }
  });

  it('every package the compiled code requires is declared (dependency or peer)', () => {
    const declared = new Set([
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}),
    ]);
    const builtins = new Set(builtinModules);
    const missing = new Set<string>();
    for (const file of files.filter((f) => f.endsWith('.js'))) {
      const source = fs.readFileSync(path.join(packageDir, file), 'utf8');
      for (const [, specifier] of source.matchAll(/require\("([^"]+)"\)/g)) {
        if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
        const name = specifier.startsWith('@')
          ? specifier.split('/').slice(0, 2).join('/')
          : specifier.split('/')[0];
        if (!builtins.has(name) && !declared.has(name)) missing.add(`${name} (${file})`);
      }
    }
    expect([...missing]).toEqual([]);
  });

  it('loading the library loads no optional peer — not swagger, GraphQL or WebSockets (no cost when absent)', () => {
    const entry = path.join(packageDir, 'src', 'index.js');
    const { loaded, attempted } = packagesLoadedBy(`require(${JSON.stringify(entry)});`);
    expect(loaded).toContain('@nestjs/core'); // the tracing works
    expect(loaded).toContain('@nestjs/passport');
    for (const name of NOT_LOADED) {
      expect({ name, loaded: loaded.has(name) }).toEqual({ name, loaded: false });
      expect({ name, attempted: attempted.has(name) }).toEqual({ name, attempted: false });
    }
    // They are installed in this repository, so "not loaded" means "not asked for".
    for (const name of ['@nestjs/swagger', '@nestjs/graphql', '@nestjs/websockets']) {
      const installed = path.join(__dirname, '..', '..', 'node_modules', name, 'package.json');
      expect({ name, installed: fs.existsSync(installed) }).toEqual({ name, installed: true });
    }
  });

  it('the test kit loads no Nest package and no test runner', () => {
    const entry = path.join(packageDir, 'testing', 'index.js');
    const { loaded } = packagesLoadedBy(`require(${JSON.stringify(entry)});`);
    expect([...loaded].filter((name) => name.startsWith('@nestjs/') || name === 'jest')).toEqual(
      [],
    );
  });
});
