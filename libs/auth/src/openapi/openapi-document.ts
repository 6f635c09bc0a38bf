/**
 * The parts of an OpenAPI 3 document that `applyAuthToOpenApi` reads and writes. Structural, so
 * `@nestjs/swagger`'s `OpenAPIObject` fits without this library importing `@nestjs/swagger`.
 */
export interface OpenApiDocumentLike {
  paths?: Record<string, Record<string, unknown> | undefined>;
  components?: { securitySchemes?: Record<string, unknown>; [key: string]: unknown };
  security?: Record<string, string[]>[];
  [key: string]: unknown;
}

/** One operation of an OpenAPI document, as far as this integration touches it. */
export interface OpenApiOperationLike {
  operationId?: string;
  description?: string;
  security?: Record<string, string[]>[];
  responses?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The HTTP methods an OpenAPI path item can hold operations for. */
export const OPENAPI_METHODS = [
  'get',
  'put',
  'post',
  'delete',
  'options',
  'head',
  'patch',
  'trace',
  'search',
  'query',
] as const;
