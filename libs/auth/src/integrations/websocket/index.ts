export { authenticateConnection, socketIoAuthMiddleware } from './authenticate-connection';
export type { WsConnectError } from './authenticate-connection';
export { WsAuthExceptionFilter } from './ws-auth.filter';
export type { WsAuthErrorPayload } from './ws-auth.filter';
