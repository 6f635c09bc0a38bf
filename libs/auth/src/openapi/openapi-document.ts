/**
 * An OpenAPI 3 document, as far as `applyAuthToOpenApi` needs to know: structural and loose, so
 * `@nestjs/swagger`'s `OpenAPIObject` fits without this library importing `@nestjs/swagger`.
 */
export interface OpenApiDocumentLike {
  /** Path templates to path items (`{ get: operation, post: operation, … }`). */
  paths?: object;
  /** Holds `securitySchemes`. */
  components?: object;
  /** Top-level security requirements. */
  security?: readonly object[];
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
