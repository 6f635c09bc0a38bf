// Integrations with optional peers: none of them imports @nestjs/graphql, graphql,
// @nestjs/websockets or socket.io, so loading the library costs nothing where they are absent.
export { authErrorDetails } from './auth-error-details';
export type { AuthErrorDetails } from './auth-error-details';
export * from './graphql';
export * from './websocket';
