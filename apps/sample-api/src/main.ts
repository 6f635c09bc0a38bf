import 'reflect-metadata';
import { createServer } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { ConfigModule } from '@nestjs/config';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { startupBanner } from './banner';
import { readSettings, SettingsError } from './settings/sample-settings';

/** Asks the OS for a free port (for `PORT=0`), so the issuer URL can name it before start-up. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function main(): Promise<void> {
  // ConfigModule has read `.env` (if any) into process.env by now; check everything up front so
  // a bad setting stops the start with one clear message instead of a stack trace.
  await ConfigModule.envVariablesLoaded;
  let settings = readSettings((name) => process.env[name]);
  if (settings.port === 0) {
    process.env.PORT = String(await freePort(settings.host));
    settings = readSettings((name) => process.env[name]);
  }
  // rawBody: the token endpoint then refuses JSON bodies that repeat a parameter (RFC 6749 §3.2).
  const app = await NestFactory.create(AppModule, { abortOnError: false, rawBody: true });
  configureApp(app);
  await app.listen(settings.port, settings.host);
  const startupMs = Math.round(process.uptime() * 1000);
  process.stdout.write(`${startupBanner(settings, settings.publicUrl, startupMs)}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof SettingsError) {
    console.error(error.message);
  } else {
    console.error(
      `The sample did not start: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  process.exit(1);
});
