import type { INestApplication } from '@nestjs/common';
import { setupSwagger } from './swagger';

/**
 * What `main.ts` does to the app besides listening, shared with the tests that build the app
 * in-process: the OpenAPI docs, shutdown hooks (so Redis connections and timers close on
 * SIGTERM), and no `X-Powered-By` header.
 */
export function configureApp(app: INestApplication): INestApplication {
  app.enableShutdownHooks();
  // Express only: do not advertise the framework.
  const server = app.getHttpAdapter().getInstance() as { disable?: (setting: string) => void };
  server.disable?.('x-powered-by');
  setupSwagger(app);
  return app;
}
