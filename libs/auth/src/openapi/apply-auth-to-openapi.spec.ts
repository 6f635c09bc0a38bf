import {
  Controller,
  Get,
  INestApplication,
  Module,
  Post,
  UseGuards,
  Version,
  VersioningType,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { AuthModule } from '../auth.module';
import { AnyOf } from '../authorization/any-of.decorator';
import { Groups } from '../authorization/groups.decorator';
import { Public } from '../authorization/public.decorator';
import { Roles } from '../authorization/roles.decorator';
import { ScopesOrAppPermissions } from '../authorization/scope-or-app-permission.decorator';
import { Scopes } from '../authorization/scopes.decorator';
import { JwtAuthGuard } from '../validation/jwt-auth.guard';
import { applyAuthToOpenApi } from './apply-auth-to-openapi';

const ADMINS = '8f6b2a2e-1c4d-4e5f-9a7b-3c2d1e0f9a8b';

@Controller('payments')
@Scopes('Payments.Read')
class PaymentsController {
  @Get() list() {}
  @Post() @Scopes('Payments.Write') create() {}
  @Post(':id/approve') @Roles('Payments.Approver') approve() {}
  @Post(':id/refund') @Scopes.all('Payments.Write', 'Payments.Refund') refund() {}
  @Post(':id/release') @AnyOf({ roles: ['Payments.Approver'], groups: [ADMINS] }) release() {}
  @Get('health') @Public() health() {}
}

@Controller()
class MiscController {
  @Get('me') @ApiOperation({ summary: 'Who am I', description: 'The caller.' }) me() {}
  @Get('admin') @Groups(ADMINS) admin() {}
  @Get('reports')
  @ScopesOrAppPermissions({ scopes: ['Reports.Read'], appPermissions: ['Reports.Read.All'] })
  reports() {}
  @Get('wide') @Scopes('A', 'B', 'C', 'D', 'E') @Roles('R1', 'R2', 'R3', 'R4') wide() {}
  @Get('audit')
  @AnyOf({ scopes: ['Audit.Read'], roles: ['Audit.Read.All'], groups: [ADMINS] })
  audit() {}
}

@Public()
@Controller('open')
class OpenController {
  @Get() index() {}
}

@Controller({ path: 'things', version: '2' })
class VersionedController {
  @Get() @Scopes('Things.Read') list() {}
  @Get('old') @Version('1') old() {}
}

@Controller('guarded')
class GuardedController {
  @Get() @UseGuards(JwtAuthGuard) guarded() {}
  @Get('plain') plain() {}
  @Get('mine') @ApiBearerAuth('other') mine() {}
}

const OPTIONS = {
  issuer: 'https://issuer.test/',
  audience: 'api://test',
  jwksUri: 'https://issuer.test/jwks',
};

async function build(globalGuards: boolean): Promise<INestApplication> {
  @Module({
    imports: [AuthModule.forRoot({ ...OPTIONS, globalGuards, isGlobal: true })],
    controllers: [
      PaymentsController,
      MiscController,
      OpenController,
      VersionedController,
      GuardedController,
    ],
  })
  class AppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.enableVersioning({ type: VersioningType.URI });
  await app.init();
  return app;
}

function documentOf(app: INestApplication, security = false): OpenAPIObject {
  let config = new DocumentBuilder().setTitle('t').setOpenAPIVersion('3.1.0');
  if (security) config = config.addSecurityRequirements('bearer');
  return SwaggerModule.createDocument(app, config.build());
}

describe('applyAuthToOpenApi', () => {
  describe('with the global guards (the default)', () => {
    let app: INestApplication;
    let document: OpenAPIObject;

    beforeAll(async () => {
      app = await build(true);
      document = applyAuthToOpenApi(app, documentOf(app));
    });
    afterAll(() => app.close());

    const op = (path: string, method: 'get' | 'post' = 'get') => document.paths[path][method]!;

    it('adds the bearer security scheme', () => {
      expect(document.components?.securitySchemes?.bearer).toEqual({
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: expect.stringContaining('RFC 6750'),
      });
    });

    it('lists the class scope on a route that adds nothing', () => {
      expect(op('/payments').security).toEqual([{ bearer: ['Payments.Read'] }]);
      expect(op('/payments').description).toBe('Requires scope Payments.Read.');
    });

    it('ANDs class and handler requirements (A5)', () => {
      expect(op('/payments', 'post').security).toEqual([
        { bearer: ['Payments.Read', 'Payments.Write'] },
      ]);
      expect(op('/payments', 'post').description).toBe(
        'Requires scope Payments.Read and scope Payments.Write.',
      );
      expect(op('/payments/{id}/approve', 'post').description).toBe(
        'Requires scope Payments.Read and role Payments.Approver.',
      );
      expect(op('/payments/{id}/refund', 'post')).toMatchObject({
        security: [{ bearer: ['Payments.Read', 'Payments.Write', 'Payments.Refund'] }],
        description:
          'Requires scope Payments.Read and all of the scopes Payments.Write, Payments.Refund.',
      });
    });

    it('adds 401 and 403 responses', () => {
      const responses = op('/payments', 'post').responses;
      expect(responses['401']).toEqual({ description: expect.stringContaining('Unauthorized') });
      expect(responses['403']).toEqual({
        description:
          'Forbidden (insufficient_scope). Requires scope Payments.Read and scope Payments.Write.',
      });
    });

    it('leaves @Public() routes open, on the handler or the class', () => {
      expect(op('/payments/health').security).toBeUndefined();
      expect(op('/payments/health').description).toBeUndefined();
      expect(op('/payments/health').responses['401']).toBeUndefined();
      expect(op('/open').security).toBeUndefined();
    });

    it('needs a token on every other route, keeping its own description', () => {
      expect(op('/me')).toMatchObject({
        summary: 'Who am I',
        security: [{ bearer: [] }],
        description: 'The caller.\n\nRequires a valid bearer token.',
      });
      expect(op('/me').responses['403']).toBeUndefined();
      expect(op('/guarded/plain').security).toEqual([{ bearer: [] }]);
    });

    it('describes groups and the scope-or-app-permission form as alternatives', () => {
      expect(op('/admin')).toMatchObject({
        security: [{ bearer: [ADMINS] }],
        description: `Requires group ${ADMINS}.`,
      });
      expect(op('/reports')).toMatchObject({
        security: [{ bearer: ['Reports.Read'] }, { bearer: ['Reports.Read.All'] }],
        description:
          'Requires scope Reports.Read in a delegated token, or application permission ' +
          'Reports.Read.All in an application token.',
      });
    });

    it('lists each name of an @AnyOf as an alternative, ANDed with the class scope', () => {
      expect(op('/payments/{id}/release', 'post')).toMatchObject({
        security: [
          { bearer: ['Payments.Read', 'Payments.Approver'] },
          { bearer: ['Payments.Read', ADMINS] },
        ],
        description: `Requires scope Payments.Read and role Payments.Approver or group ${ADMINS}.`,
      });
      expect(op('/payments/{id}/release', 'post').responses['403']).toEqual({
        description:
          'Forbidden (insufficient_scope). Requires scope Payments.Read and role ' +
          `Payments.Approver or group ${ADMINS}.`,
      });
      expect(op('/audit')).toMatchObject({
        security: [
          { bearer: ['Audit.Read'] },
          { bearer: ['Audit.Read.All'] },
          { bearer: [ADMINS] },
        ],
        description:
          'Requires scope Audit.Read in a delegated token, or role Audit.Read.All, or group ' +
          `${ADMINS}.`,
      });
    });

    it('falls back to the bare scheme when alternatives would be too many', () => {
      expect(op('/wide').security).toEqual([{ bearer: [] }]);
      expect(op('/wide').description).toBe(
        'Requires one of the scopes A, B, C, D, E and one of the roles R1, R2, R3, R4.',
      );
      const small = applyAuthToOpenApi(app, documentOf(app), { maxAlternatives: 20 });
      expect(small.paths['/wide'].get!.security).toHaveLength(20);
    });

    it('matches versioned operations', () => {
      expect(op('/v2/things').security).toEqual([{ bearer: ['Things.Read'] }]);
      expect(op('/v1/things/old').security).toEqual([{ bearer: [] }]);
    });

    it('keeps security requirements of other schemes', () => {
      expect(op('/guarded/mine').security).toEqual([{ other: [] }, { bearer: [] }]);
    });

    it('is idempotent', () => {
      const twice = applyAuthToOpenApi(app, applyAuthToOpenApi(app, documentOf(app)));
      expect(twice).toEqual(document);
    });

    it('gives public routes `security: []` when the document requires a scheme everywhere', () => {
      const withTopLevel = applyAuthToOpenApi(app, documentOf(app, true));
      expect(withTopLevel.paths['/payments/health'].get!.security).toEqual([]);
      expect(withTopLevel.paths['/payments'].get!.security).toEqual([
        { bearer: ['Payments.Read'] },
      ]);
    });

    it('takes another scheme name and no error responses', () => {
      const custom = applyAuthToOpenApi(app, documentOf(app), {
        schemeName: 'jwt',
        errorResponses: false,
      });
      expect(custom.components?.securitySchemes?.jwt).toBeDefined();
      expect(custom.paths['/payments'].get!.security).toEqual([{ jwt: ['Payments.Read'] }]);
      expect(custom.paths['/payments'].get!.responses['401']).toBeUndefined();
    });

    it('matches operation ids of a custom operationIdFactory', () => {
      const operationIdFactory = (controller: string, method: string) => `${method}@${controller}`;
      const custom = SwaggerModule.createDocument(app, new DocumentBuilder().build(), {
        operationIdFactory,
      });
      applyAuthToOpenApi(app, custom, { operationIdFactory });
      expect(custom.paths['/payments'].post!.security).toEqual([
        { bearer: ['Payments.Read', 'Payments.Write'] },
      ]);
    });
  });

  describe('without the global guards', () => {
    let app: INestApplication;
    let document: OpenAPIObject;

    beforeAll(async () => {
      app = await build(false);
      document = applyAuthToOpenApi(app, documentOf(app));
    });
    afterAll(() => app.close());

    it('documents only routes whose decorators or guards need a token', () => {
      expect(document.paths['/guarded/plain'].get!.security).toBeUndefined();
      expect(document.paths['/guarded'].get!.security).toEqual([{ bearer: [] }]);
      expect(document.paths['/payments'].get!.security).toEqual([{ bearer: ['Payments.Read'] }]);
      expect(document.paths['/me'].get!.security).toBeUndefined();
    });

    it('can be told that every route needs a token', () => {
      const told = applyAuthToOpenApi(app, documentOf(app), { globalGuards: true });
      expect(told.paths['/me'].get!.security).toEqual([{ bearer: [] }]);
    });
  });

  it('refuses to guess when one operationId belongs to handlers with different requirements', async () => {
    const makeController = (scope: string) => {
      @Controller(`dup-${scope}`)
      class DuplicateController {
        @Get() @Scopes(scope) get() {}
      }
      return DuplicateController;
    };
    @Module({
      imports: [AuthModule.forRoot({ ...OPTIONS, isGlobal: true })],
      controllers: [makeController('A'), makeController('B')],
    })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      const document = SwaggerModule.createDocument(app, new DocumentBuilder().build());
      expect(() => applyAuthToOpenApi(app, document)).toThrow(
        /operationId "DuplicateController_get" belongs to several route handlers/,
      );
    } finally {
      await app.close();
    }
  });

  it('does not load @nestjs/swagger with the library (it is optional)', () => {
    jest.isolateModules(() => {
      jest.doMock('@nestjs/swagger', () => {
        throw new Error('@nestjs/swagger was loaded');
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const library = require('../index') as typeof import('../index');
      expect(typeof library.applyAuthToOpenApi).toBe('function');
    });
  });
});
