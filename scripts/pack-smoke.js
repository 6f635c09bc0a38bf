#!/usr/bin/env node
// CI smoke test of the package users install (issue 9, item 6): build libs/auth into
// dist/package, `npm pack` it, install the tarball with Nest from the registry into a fresh app in
// the OS temp folder (outside the repository, so nothing resolves from our node_modules),
// type-check and compile a small TypeScript app against it, boot it, and send one request that
// must pass (a token minted by the packed test kit) and some that must fail (401).
// `KEEP_SMOKE_APP=1` keeps the temp app for a look.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawn } = require('node:child_process');
const { buildPackage } = require('./build-package');

const root = path.join(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const started = Date.now();
const step = (message) =>
  console.log(`[pack-smoke] ${((Date.now() - started) / 1000).toFixed(1)}s ${message}`);

/** Packages the app installs beside the tarball, at the ranges this repository uses. */
function nestPackages() {
  const { dependencies, devDependencies } = require(path.join(root, 'package.json'));
  const all = { ...devDependencies, ...dependencies };
  return [
    '@nestjs/common',
    '@nestjs/core',
    '@nestjs/platform-express',
    '@nestjs/passport',
    'passport',
    'reflect-metadata',
    'rxjs',
    '@types/node',
  ].map((name) => `${name}@${all[name]}`);
}

const APP_SOURCE = `import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthModule, AuthUser, CurrentUser, Public, Scopes } from 'nest-entra-auth';
import { TestIssuer } from 'nest-entra-auth/testing';

@Controller('payments')
@Scopes('Payments.Read')
class PaymentsController {
  @Get() list(@CurrentUser() user: AuthUser): { subject: string; scopes: readonly string[] } {
    return { subject: user.subject, scopes: user.scopes };
  }
  @Get('health') @Public() health(): { ok: boolean } {
    return { ok: true };
  }
}

function absent(name: string): boolean {
  try {
    require.resolve(name);
    return false;
  } catch {
    return true;
  }
}

async function main(): Promise<void> {
  const issuer = await TestIssuer.start();
  @Module({ imports: [AuthModule.forRoot(issuer.authOptions())], controllers: [PaymentsController] })
  class AppModule {}
  const app = await NestFactory.create(AppModule, { logger: ['error'] });
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const token = issuer.mint({ sub: 'smoke', scp: 'Payments.Read' });
  const optionalPeersAbsent = ['@nestjs/swagger', '@nestjs/graphql', '@nestjs/websockets'].every(absent);
  process.stdout.write(JSON.stringify({ url, token, optionalPeersAbsent }) + '\\n');
  process.once('SIGTERM', () => {
    setTimeout(() => process.exit(0), 1000).unref();
    void Promise.all([app.close(), issuer.stop()]).then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
`;

const TSCONFIG = {
  compilerOptions: {
    // CommonJS output that require()s Nest's ES modules (Node >= 20.19): TypeScript allows that
    // only under nodenext. Resolution follows the package's `exports`.
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'ES2022',
    lib: ['ES2022'],
    strict: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    // Check the installed declarations too: the package's types must compile for a user.
    skipLibCheck: false,
    types: ['node'],
    outDir: 'dist',
    rootDir: 'src',
  },
  include: ['src'],
};

function pack(packageDir, destination) {
  const [info] = JSON.parse(
    execFileSync(npm, ['pack', '--json', '--pack-destination', destination], {
      cwd: packageDir,
      encoding: 'utf8',
    }),
  );
  const leaked = info.files
    .map((file) => file.path)
    .filter((file) => /\.spec\.|e2e-spec|(^|\/)test\//.test(file) || /(?<!\.d)\.ts$/.test(file));
  if (leaked.length) throw new Error(`test code or sources in the tarball: ${leaked.join(', ')}`);
  return {
    tarball: path.join(destination, info.filename),
    files: info.files.length,
    size: info.size,
  };
}

/** Compiles the app without type information, so it can boot while the type check runs. */
function transpileApp(appDir) {
  const ts = require(require.resolve('typescript', { paths: [root] }));
  const { outputText } = ts.transpileModule(APP_SOURCE, {
    compilerOptions: {
      ...TSCONFIG.compilerOptions,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: undefined,
      target: ts.ScriptTarget.ES2022,
      lib: undefined,
    },
    fileName: 'main.ts',
  });
  fs.mkdirSync(path.join(appDir, 'dist'), { recursive: true });
  fs.writeFileSync(path.join(appDir, 'dist', 'main.js'), outputText);
}

/** `tsc --noEmit` in the app: resolves the package through its `exports` and checks its types. */
function typeCheckApp(appDir) {
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  return new Promise((resolve, reject) => {
    const check = spawn(process.execPath, [tsc, '--noEmit', '-p', appDir], {
      cwd: appDir,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    check.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`the app does not type-check (tsc exit ${code})`)),
    );
  });
}

function bootApp(appDir) {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: appDir,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the app did not start within 20 s')), 20_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n')[0];
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`the app exited with ${code} before it was ready`)),
    );
  });
  return { child, ready };
}

function expectEqual(actual, expected, what) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
  step(`ok: ${what}`);
}

async function main() {
  const packageDir = buildPackage({ ifStale: true });
  step(`package built in ${path.relative(root, packageDir)}`);
  const appDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nest-auth-pack-smoke-'));
  let child;
  try {
    const { tarball, files, size } = pack(packageDir, appDir);
    step(`packed ${path.basename(tarball)}: ${files} files, ${size} bytes`);

    fs.writeFileSync(
      path.join(appDir, 'package.json'),
      JSON.stringify({ name: 'pack-smoke-app', private: true, version: '0.0.0' }, null, 2),
    );
    execFileSync(
      npm,
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--loglevel=error',
        tarball,
        ...nestPackages(),
      ],
      { cwd: appDir, stdio: 'inherit' },
    );
    step('installed the tarball and Nest from the registry');

    fs.mkdirSync(path.join(appDir, 'src'));
    fs.writeFileSync(path.join(appDir, 'src', 'main.ts'), APP_SOURCE);
    fs.writeFileSync(path.join(appDir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
    // The full type check (the app and every installed declaration) runs beside the boot.
    const typeCheck = typeCheckApp(appDir);
    transpileApp(appDir);

    const app = bootApp(appDir);
    child = app.child;
    const { url, token, optionalPeersAbsent } = await app.ready;
    step(`booted on ${url}`);
    expectEqual(optionalPeersAbsent, true, 'no optional peer was installed');

    const get = async (route, authorization) => {
      const res = await fetch(`${url}${route}`, {
        headers: authorization ? { Authorization: authorization } : {},
        signal: AbortSignal.timeout(5000),
      });
      return {
        status: res.status,
        challenge: res.headers.get('www-authenticate'),
        body: await res.json(),
      };
    };
    const pass = await get('/payments', `Bearer ${token}`);
    expectEqual(
      [pass.status, pass.body],
      [200, { subject: 'smoke', scopes: ['Payments.Read'] }],
      'a token from the packed test kit passes (200)',
    );
    const none = await get('/payments');
    expectEqual(
      [none.status, none.challenge, none.body],
      [
        401,
        'Bearer realm="api"',
        { statusCode: 401, message: 'Bearer token required', error: 'Unauthorized' },
      ],
      'no token fails (401)',
    );
    const forged = await get('/payments', `Bearer ${token.slice(0, -8)}AAAAAAAA`);
    expectEqual(
      [forged.status, forged.challenge],
      [
        401,
        'Bearer realm="api", error="invalid_token", error_description="The access token is invalid"',
      ],
      'a forged token fails (401 invalid_token)',
    );
    expectEqual((await get('/payments/health')).status, 200, '@Public() route passes');
    await typeCheck;
    step('the app type-checks against the installed declarations (strict, skipLibCheck off)');
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      step('stopped the app');
    }
    if (process.env.KEEP_SMOKE_APP) step(`kept ${appDir}`);
    else fs.rmSync(appDir, { recursive: true, force: true });
  }
  step('passed');
}

main().catch((error) => {
  console.error(`[pack-smoke] FAILED: ${error.stack || error}`);
  process.exit(1);
});
