import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { INestApplication } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Field, GraphQLModule, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import {
  AuthUser,
  CurrentUser,
  GraphQLAuthExceptionFilter,
  Groups,
  Public,
  RevocationStore,
  Roles,
  Scopes,
} from '@app/auth';
import { TestIssuer } from '@app/auth/testing';
import request from 'supertest';
import { ProbeController } from './support/probe.controller';
import { ADAPTERS, AdapterName, createTestApp, INVALID_TOKEN_CHALLENGE } from './support/test-app';

@ObjectType()
class Me {
  @Field() subject!: string;
  @Field(() => [String]) scopes!: string[];
  @Field(() => [String]) roles!: string[];
  @Field() kind!: string;
}

@Resolver()
class DataResolver {
  @Query(() => String) @Public() hello() {
    return 'world';
  }
  @Query(() => Me, { nullable: true }) me(@CurrentUser() user: AuthUser): Me {
    return {
      subject: user.subject,
      scopes: [...user.scopes],
      roles: [...user.roles],
      kind: user.kind,
    };
  }
  @Query(() => String, { nullable: true }) tenant(@CurrentUser('tid') tid: string) {
    return tid;
  }
  @Query(() => String, { nullable: true }) @Scopes('Data.Read') read() {
    return 'read';
  }
  @Mutation(() => String, { nullable: true }) @Scopes.all('Data.Read', 'Data.Write') write() {
    return 'written';
  }
  @Mutation(() => String, { nullable: true }) @Roles('Data.Approver') approve() {
    return 'approved';
  }
  @Query(() => String, { nullable: true }) @Groups('admins') admin() {
    return 'admin';
  }
}

/** Class-level requirement: every field needs Payments.Read; a handler can add, never loosen (A5). */
@Resolver()
@Scopes('Payments.Read')
class PaymentsResolver {
  @Query(() => [String], { nullable: true }) payments() {
    return ['p1'];
  }
  @Mutation(() => String, { nullable: true }) @Scopes('Payments.Write') pay() {
    return 'paid';
  }
  @Query(() => String) @Public() paymentsStatus() {
    return 'up';
  }
}

interface GqlAnswer {
  status: number;
  wwwAuthenticate?: string;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: string[]; extensions: Record<string, unknown> }[];
  };
  text: string;
}

describe.each(ADAPTERS)('GraphQL (Apollo) on %s (V12, A1–A7, E1–E7)', (adapter) => {
  let issuer: TestIssuer;
  let down: TestIssuer;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    issuer = await TestIssuer.start();
    down = await TestIssuer.start({ issuer: 'https://down.test/', audience: 'api://down' });
    down.setFault('status500');
    ({ app, url } = await createTestApp(
      { providers: [issuer.authOptions(), down.authOptions()] },
      {
        adapter,
        controllers: [ProbeController],
        imports: [graphqlModule()],
        providers: [
          DataResolver,
          PaymentsResolver,
          { provide: APP_FILTER, useClass: GraphQLAuthExceptionFilter },
        ],
      },
    ));
  });
  afterAll(async () => {
    await app?.close();
    await issuer?.stop();
    await down?.stop();
  });

  const gql = async (query: string, token?: string, path = '/graphql'): Promise<GqlAnswer> => {
    let req = request(url).post(path).set('Content-Type', 'application/json');
    if (token !== undefined) req = req.set('Authorization', `Bearer ${token}`);
    const res = await req.send({ query });
    return {
      status: res.status,
      wwwAuthenticate: res.headers['www-authenticate'],
      body: res.body,
      text: res.text,
    };
  };
  const onlyError = (answer: GqlAnswer) => {
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toHaveLength(1);
    return answer.body.errors![0];
  };

  it('@Public() fields need no token', async () => {
    const res = await gql('{ hello paymentsStatus }');
    expect(res.body).toEqual({ data: { hello: 'world', paymentsStatus: 'up' } });
  });

  it('@CurrentUser() in resolvers (A7)', async () => {
    const token = issuer.mint({ sub: 'alice', tid: 't1', scp: 'Data.Read', roles: ['R'] });
    const res = await gql('{ me { subject scopes roles kind } tenant }', token);
    expect(res.body).toEqual({
      data: {
        me: { subject: 'alice', scopes: ['Data.Read'], roles: ['R'], kind: 'user' },
        tenant: 't1',
      },
    });
  });

  it('E1: no token → UNAUTHENTICATED without an RFC 6750 error code; public fields still answer', async () => {
    const res = await gql('{ hello me { subject } }');
    expect(res.body.data).toEqual({ hello: 'world', me: null });
    const error = onlyError(res);
    expect(error.message).toBe('Bearer token required');
    expect(error.path).toEqual(['me']);
    expect(error.extensions).toEqual({
      code: 'UNAUTHENTICATED',
      statusCode: 401,
      wwwAuthenticate: 'Bearer realm="api"',
    });
    // The challenge travels in the error; the 200 response carries no header (GraphQL over HTTP).
    expect(res.wwwAuthenticate).toBeUndefined();
  });

  it('E2: a bad token → UNAUTHENTICATED + invalid_token, the message of the REST body', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const [token, message] of [
      ['a.b.c', /./],
      [issuer.mint({ iat: now - 900, exp: now - 300 }), /^Token expired$/],
      [issuer.mint({ aud: 'api://other' }), /audience/],
    ] as const) {
      const error = onlyError(await gql('{ me { subject } }', token));
      expect(error.message).toMatch(message);
      expect(error.extensions).toEqual({
        code: 'UNAUTHENTICATED',
        statusCode: 401,
        error: 'invalid_token',
        wwwAuthenticate: INVALID_TOKEN_CHALLENGE,
      });
      expect(JSON.stringify(error)).not.toContain(token.slice(-20)); // V9
    }
  });

  it('E3: a second credential in the query string → BAD_REQUEST + invalid_request', async () => {
    const token = issuer.mint();
    const error = onlyError(await gql('{ me { subject } }', token, '/graphql?access_token=x'));
    expect(error.extensions).toMatchObject({
      code: 'BAD_REQUEST',
      statusCode: 400,
      error: 'invalid_request',
    });
    expect(error.extensions.wwwAuthenticate).toMatch(
      /^Bearer realm="api", error="invalid_request"/,
    );
  });

  it('A1: @Scopes on a resolver → FORBIDDEN + insufficient_scope with the scopes that would pass', async () => {
    expect((await gql('{ read }', issuer.mint({ scp: 'Data.Read' }))).body).toEqual({
      data: { read: 'read' },
    });
    const error = onlyError(await gql('{ read }', issuer.mint({ scp: 'Other' })));
    expect(error.message).toMatch(/Data\.Read/);
    expect(error.extensions).toEqual({
      code: 'FORBIDDEN',
      statusCode: 403,
      error: 'insufficient_scope',
      scope: 'Data.Read',
      wwwAuthenticate: `Bearer realm="api", error="insufficient_scope", error_description="${error.message}", scope="Data.Read"`,
    });
  });

  it('A1: @Scopes.all on a mutation needs every scope', async () => {
    const both = issuer.mint({ scp: 'Data.Read Data.Write' });
    expect((await gql('mutation { write }', both)).body).toEqual({ data: { write: 'written' } });
    const error = onlyError(await gql('mutation { write }', issuer.mint({ scp: 'Data.Read' })));
    expect(error.extensions).toMatchObject({ code: 'FORBIDDEN', error: 'insufficient_scope' });
    expect(error.message).toMatch(/missing Data\.Write/);
  });

  it('A2/A3: @Roles and @Groups on resolvers', async () => {
    const approver = issuer.mint({ roles: ['Data.Approver'] });
    expect((await gql('mutation { approve }', approver)).body.data).toEqual({
      approve: 'approved',
    });
    expect(
      onlyError(await gql('mutation { approve }', issuer.mint({ roles: ['Other'] }))).extensions,
    ).toMatchObject({ code: 'FORBIDDEN', error: 'insufficient_scope', scope: 'Data.Approver' });
    expect((await gql('{ admin }', issuer.mint({ groups: ['admins'] }))).body.data).toEqual({
      admin: 'admin',
    });
    expect(
      onlyError(await gql('{ admin }', issuer.mint({ groups: ['x'] }))).extensions,
    ).toMatchObject({ code: 'FORBIDDEN', error: 'insufficient_scope', scope: 'admins' });
  });

  it('A5: a class-level requirement holds for every field; a method adds to it', async () => {
    const read = issuer.mint({ scp: 'Payments.Read' });
    expect((await gql('{ payments }', read)).body.data).toEqual({ payments: ['p1'] });
    expect(onlyError(await gql('mutation { pay }', read)).extensions.scope).toBe('Payments.Write');
    // Payments.Write alone does not loosen the class's Payments.Read.
    const writeOnly = issuer.mint({ scp: 'Payments.Write' });
    expect(onlyError(await gql('mutation { pay }', writeOnly)).extensions.scope).toBe(
      'Payments.Read',
    );
    const both = issuer.mint({ scp: 'Payments.Read Payments.Write' });
    expect((await gql('mutation { pay }', both)).body.data).toEqual({ pay: 'paid' });
  });

  it('each field is authorized on its own; allowed fields still answer (partial data)', async () => {
    const res = await gql('{ read payments hello }', issuer.mint({ scp: 'Data.Read' }));
    expect(res.body.data).toEqual({ read: 'read', payments: null, hello: 'world' });
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0]).toMatchObject({
      path: ['payments'],
      extensions: { code: 'FORBIDDEN', scope: 'Payments.Read' },
    });
  });

  it('E5: a revoked subject → UNAUTHENTICATED + insufficient_claims with the claims challenge', async () => {
    const now = Math.floor(Date.now() / 1000);
    await app.get(RevocationStore).revokeSubject('gone', now, now + 3600);
    const error = onlyError(
      await gql('{ me { subject } }', issuer.mint({ sub: 'gone', iat: now - 5 })),
    );
    const claims = Buffer.from(
      JSON.stringify({ access_token: { nbf: { essential: true, value: String(now) } } }),
    ).toString('base64');
    expect(error.extensions).toEqual({
      code: 'UNAUTHENTICATED',
      statusCode: 401,
      error: 'insufficient_claims',
      claims,
      wwwAuthenticate: `Bearer realm="api", error="insufficient_claims", error_description="The access token was revoked", claims="${claims}"`,
    });
  });

  it('E7: keys unreachable → SERVICE_UNAVAILABLE with retryAfter, never a pass', async () => {
    const error = onlyError(await gql('{ me { subject } }', down.mint({ sub: 'x' })));
    expect(error.extensions).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      statusCode: 503,
      error: 'temporarily_unavailable',
    });
    expect(error.extensions.retryAfter).toBeGreaterThanOrEqual(1);
  });

  it('the filter leaves REST routes as they were', async () => {
    const res = await request(url).get('/probe').set('Authorization', 'Bearer a.b.c');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
    expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
  });
});

describe('GraphQL answers are identical on Express and Fastify (V12)', () => {
  let issuer: TestIssuer;
  const apps = {} as Record<AdapterName, { app: INestApplication; url: string }>;

  beforeAll(async () => {
    issuer = await TestIssuer.start();
    for (const [adapter] of ADAPTERS) {
      apps[adapter] = await createTestApp(issuer.authOptions(), {
        adapter,
        controllers: [],
        imports: [graphqlModule()],
        providers: [
          DataResolver,
          PaymentsResolver,
          { provide: APP_FILTER, useClass: GraphQLAuthExceptionFilter },
        ],
      });
    }
  });
  afterAll(async () => {
    for (const { app } of Object.values(apps)) await app.close();
    await issuer?.stop();
  });

  it.each([
    ['no token', '{ hello me { subject } }', () => undefined],
    ['bad token', '{ me { subject } }', () => 'a.b.c'],
    ['valid', '{ me { subject scopes } read }', () => issuer.mint({ scp: 'Data.Read' })],
    ['forbidden', '{ read payments }', () => issuer.mint({ scp: 'Payments.Write' })],
    ['mutation', 'mutation { write }', () => issuer.mint({ scp: 'Data.Read' })],
  ])('%s', async (_name, query, token) => {
    const authorization = token();
    const answers = await Promise.all(
      (['express', 'fastify'] as const).map(async (adapter) => {
        let req = request(apps[adapter].url).post('/graphql');
        if (authorization) req = req.set('Authorization', `Bearer ${authorization}`);
        const res = await req.send({ query });
        return {
          status: res.status,
          wwwAuthenticate: res.headers['www-authenticate'],
          body: res.text,
        };
      }),
    );
    expect(answers[0].status).toBe(200);
    expect(answers[1]).toEqual(answers[0]);
  });
});

describe('GraphQL without GraphQLAuthExceptionFilter (Nest defaults)', () => {
  let issuer: TestIssuer;
  let app: INestApplication;
  let url: string;
  beforeAll(async () => {
    issuer = await TestIssuer.start();
    ({ app, url } = await createTestApp(issuer.authOptions(), {
      controllers: [],
      imports: [graphqlModule()],
      providers: [DataResolver, PaymentsResolver],
    }));
  });
  afterAll(async () => {
    await app?.close();
    await issuer?.stop();
  });

  it('still fails closed with UNAUTHENTICATED / FORBIDDEN (no RFC 6750 code)', async () => {
    const anonymous = await request(url)
      .post('/graphql')
      .send({ query: '{ hello me { subject } }' });
    expect(anonymous.body.data).toEqual({ hello: 'world', me: null });
    expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const forbidden = await request(url)
      .post('/graphql')
      .set('Authorization', `Bearer ${issuer.mint({ scp: 'Other' })}`)
      .send({ query: '{ read }' });
    expect(forbidden.body.data).toEqual({ read: null });
    expect(forbidden.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });
});

function graphqlModule() {
  return GraphQLModule.forRoot<ApolloDriverConfig>({
    driver: ApolloDriver,
    autoSchemaFile: true,
    graphiql: false,
    includeStacktraceInErrorResponses: false,
  });
}
