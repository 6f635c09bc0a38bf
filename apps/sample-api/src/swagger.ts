import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { applyAuthToOpenApi } from '@app/auth';

/** Where the API documentation is served. */
export const DOCS_PATH = 'docs';

/**
 * Serves the OpenAPI document at `/docs` (UI) and `/docs-json`. Each route's bearer requirement
 * and the scopes or roles it needs come from the authorization decorators through
 * `applyAuthToOpenApi` — nothing is repeated by hand.
 */
export function setupSwagger(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Payments sample API')
    .setDescription(
      'The payments sample of the @app/auth module. Log in with POST /auth/login as alice, bob ' +
        'or carol (password: DEMO_PASSWORD, default demo-password), then press Authorize and ' +
        'paste the access_token.',
    )
    .setVersion('1.0')
    .setOpenAPIVersion('3.1.0')
    .build();
  const document = applyAuthToOpenApi(app, SwaggerModule.createDocument(app, config));
  SwaggerModule.setup(DOCS_PATH, app, document);
}
