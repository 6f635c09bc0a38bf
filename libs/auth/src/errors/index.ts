export * from './auth.errors';
export { bearerChallenge } from './bearer-challenge';
export { setResponseHeaders } from './response-headers';
