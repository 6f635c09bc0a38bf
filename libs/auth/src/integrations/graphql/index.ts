export { AuthGraphQLError } from './graphql-auth.error';
export { GraphQLAuthExceptionFilter } from './graphql-auth.filter';
