export { applyAuthToOpenApi, AUTH_OPENAPI_DEFAULTS } from './apply-auth-to-openapi';
export type { AuthOpenApiOptions } from './apply-auth-to-openapi';
export type { OpenApiDocumentLike, OpenApiOperationLike } from './openapi-document';
