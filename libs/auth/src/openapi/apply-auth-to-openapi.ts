import type { INestApplicationContext, Type } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { APP_GUARD, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { JwtAuthGuard } from '../validation/jwt-auth.guard';
import {
  OPENAPI_METHODS,
  type OpenApiDocumentLike,
  type OpenApiOperationLike,
} from './openapi-document';
import {
  describeRequirements,
  type RouteSecurity,
  routeSecurity,
  securityAlternatives,
} from './route-security';

/** Options of {@link applyAuthToOpenApi}. */
export interface AuthOpenApiOptions {
  /** Name of the security scheme in `components.securitySchemes`. Default `'bearer'`. */
  schemeName?: string;
  /** Description of the security scheme. Default: a sentence on the bearer JWT and the errors. */
  schemeDescription?: string;
  /**
   * Whether every route needs a token unless `@Public()`. Default: detected — true when
   * `AuthModule` registered its global guards (`globalGuards: true`, the default).
   */
  globalGuards?: boolean;
  /**
   * The `operationIdFactory` you gave `SwaggerModule.createDocument`, if any: operations are
   * matched to route handlers by their `operationId`. Default: `@nestjs/swagger`'s own
   * (`<Controller>_<method>`, with `_<version>` for versioned routes).
   */
  operationIdFactory?: (controllerKey: string, methodKey: string, version?: string) => string;
  /** Add `401` and `403` responses to protected operations that do not list them. Default true. */
  errorResponses?: boolean;
  /**
   * Most security alternatives one operation lists (requirements that each accept any of several
   * names multiply). Past it the operation lists the scheme alone; its description still names
   * every requirement. Default 16.
   */
  maxAlternatives?: number;
}

/** The defaults of {@link AuthOpenApiOptions}. */
export const AUTH_OPENAPI_DEFAULTS = {
  schemeName: 'bearer',
  errorResponses: true,
  maxAlternatives: 16,
  schemeDescription:
    'A JWT access token in the `Authorization: Bearer` header (RFC 6750). Missing or invalid: ' +
    '401 with `WWW-Authenticate: Bearer`; a missing scope, role or group: 403 ' +
    '`insufficient_scope` (the `scope` parameter lists what would pass).',
} as const;

interface RouteHandler {
  readonly controller: Type;
  readonly methodKey: string;
  readonly security: RouteSecurity;
}

/**
 * Documents the module's authentication and authorization in an OpenAPI document built by
 * `@nestjs/swagger`, read from the same decorator metadata the guards enforce — so nothing is
 * repeated by hand and the document cannot drift from what is enforced:
 *
 * - `components.securitySchemes[schemeName]`: an HTTP bearer scheme (`bearerFormat: JWT`);
 * - every operation that needs a token (the global guards, or `@Scopes`/`@Roles`/`@Groups`/
 *   `@ScopesOrAppPermissions`/`@AnyOf`/`UseGuards(JwtAuthGuard)`, and not `@Public()`) gets a
 *   `security` requirement on the scheme. The names in it are the scopes, roles and group ids that
 *   pass, as alternatives: `@Scopes('A', 'B')` → `[{ bearer: ['A'] }, { bearer: ['B'] }]`,
 *   `@AnyOf({ roles: ['R'], groups: ['g'] })` → `[{ bearer: ['R'] }, { bearer: ['g'] }]`; class and
 *   handler requirements are ANDed (DESIGN A5) → `[{ bearer: ['Payments.Read', 'Payments.Write'] }]`.
 *   (Role names in a non-OAuth2 requirement are allowed from OpenAPI 3.1.)
 * - its description gains a sentence such as "Requires scope Payments.Read and scope
 *   Payments.Write.", and its responses `401` and `403`;
 * - `@Public()` operations get `security: []` when the document has a top-level requirement.
 *
 * Operations are matched to route handlers by `operationId`. `@nestjs/swagger` is not imported
 * by this library: it stays an optional dependency of your app.
 *
 * @example
 * ```ts
 * const document = SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('API').build());
 * applyAuthToOpenApi(app, document);
 * SwaggerModule.setup('docs', app, document);
 * ```
 * @returns the same document, changed in place.
 * @throws TypeError when two route handlers with different requirements share one `operationId`
 *   (give `createDocument` an `operationIdFactory` that tells them apart, and pass it here too).
 */
export function applyAuthToOpenApi<T extends OpenApiDocumentLike>(
  app: INestApplicationContext,
  document: T,
  options: AuthOpenApiOptions = {},
): T {
  const schemeName = options.schemeName ?? AUTH_OPENAPI_DEFAULTS.schemeName;
  const maxAlternatives = options.maxAlternatives ?? AUTH_OPENAPI_DEFAULTS.maxAlternatives;
  const reflector = app.get(Reflector, { strict: false });
  const modules = app.get(ModulesContainer, { strict: false });
  const globalGuards = options.globalGuards ?? hasGlobalJwtGuard(modules);
  const operationId = options.operationIdFactory ?? defaultOperationId;

  const handlers = new Map<string, RouteHandler[]>();
  for (const route of routeHandlers(modules, reflector, globalGuards)) {
    const id = operationId(route.controller.name, route.methodKey);
    handlers.set(id, [...(handlers.get(id) ?? []), route]);
  }

  const doc = document as {
    components?: { securitySchemes?: Record<string, unknown> };
    security?: readonly object[];
  };
  const components = (doc.components ??= {});
  const schemes = (components.securitySchemes ??= {});
  schemes[schemeName] ??= {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: options.schemeDescription ?? AUTH_OPENAPI_DEFAULTS.schemeDescription,
  };

  const documentWide = (doc.security ?? []).length > 0;
  for (const operation of operationsOf(document)) {
    const route = findRoute(handlers, operation.operationId);
    if (!route) continue;
    const { security } = route;
    if (security.isPublic) {
      if (documentWide) operation.security = [];
      continue;
    }
    if (!security.authenticated) continue;
    const alternatives = securityAlternatives(security.requirements, maxAlternatives) ?? [[]];
    const others = (operation.security ?? []).filter((entry) => !(schemeName in entry));
    operation.security = [...others, ...alternatives.map((names) => ({ [schemeName]: names }))];
    const sentence = describeRequirements(security.requirements);
    if (!operation.description?.includes(sentence)) {
      operation.description = operation.description
        ? `${operation.description}\n\n${sentence}`
        : sentence;
    }
    if (options.errorResponses ?? AUTH_OPENAPI_DEFAULTS.errorResponses) {
      const responses = (operation.responses ??= {});
      responses['401'] ??= {
        description: 'Unauthorized: the bearer token is missing, invalid, expired or revoked',
      };
      if (security.requirements.length > 0) {
        responses['403'] ??= { description: `Forbidden (insufficient_scope). ${sentence}` };
      }
    }
  }
  return document;
}

/** `@nestjs/swagger`'s default operation id, without a version. */
function defaultOperationId(controllerKey: string, methodKey: string): string {
  return controllerKey ? `${controllerKey}_${methodKey}` : methodKey;
}

/**
 * The handler of an operation id: an exact match, else the longest id it extends with a version
 * (`_v2`), request method (`_get`, for `@All`) or alias (`[1]`) suffix, as swagger adds them.
 */
function findRoute(
  handlers: ReadonlyMap<string, RouteHandler[]>,
  operationId: string | undefined,
): RouteHandler | undefined {
  if (!operationId) return undefined;
  let candidates = handlers.get(operationId);
  if (!candidates) {
    let best = '';
    for (const id of handlers.keys()) {
      const extends_ = operationId.startsWith(`${id}_`) || operationId.startsWith(`${id}[`);
      if (extends_ && id.length > best.length) best = id;
    }
    candidates = best ? handlers.get(best) : undefined;
  }
  if (!candidates) return undefined;
  const [first, ...rest] = candidates;
  const key = JSON.stringify(first.security);
  if (rest.some((other) => JSON.stringify(other.security) !== key)) {
    throw new TypeError(
      `applyAuthToOpenApi: operationId "${operationId}" belongs to several route handlers with ` +
        'different requirements; give SwaggerModule.createDocument an operationIdFactory that ' +
        'tells them apart, and pass the same one here',
    );
  }
  return first;
}

function* operationsOf(document: OpenApiDocumentLike): Iterable<OpenApiOperationLike> {
  const paths = (document.paths ?? {}) as Record<string, Record<string, unknown> | undefined>;
  for (const item of Object.values(paths)) {
    if (!item) continue;
    for (const method of OPENAPI_METHODS) {
      const operation = item[method];
      if (typeof operation === 'object' && operation !== null) {
        yield operation as OpenApiOperationLike;
      }
    }
  }
}

function* routeHandlers(
  modules: ModulesContainer,
  reflector: Reflector,
  globalGuards: boolean,
): Iterable<RouteHandler> {
  const scanner = new MetadataScanner();
  const seen = new Set<Type>();
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | undefined;
      if (typeof controller !== 'function' || seen.has(controller)) continue;
      seen.add(controller);
      for (const methodKey of scanner.getAllMethodNames(controller.prototype)) {
        const handler: unknown = controller.prototype[methodKey];
        if (typeof handler !== 'function' || !Reflect.hasMetadata(PATH_METADATA, handler)) {
          continue;
        }
        const security = routeSecurity(
          reflector,
          controller,
          handler as (...args: unknown[]) => unknown,
          globalGuards,
        );
        yield { controller, methodKey, security };
      }
    }
  }
}

/** Whether a `JwtAuthGuard` (or a subclass) is registered with `APP_GUARD` in some module. */
function hasGlobalJwtGuard(modules: ModulesContainer): boolean {
  for (const module of modules.values()) {
    for (const [token, wrapper] of module.providers) {
      if (typeof token !== 'string' || !token.startsWith(APP_GUARD)) continue;
      if (wrapper.instance instanceof JwtAuthGuard) return true;
    }
  }
  return false;
}
