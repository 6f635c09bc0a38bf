import {
  CanActivate,
  Controller,
  ExecutionContext,
  Get,
  INestApplication,
  Injectable,
  Type,
} from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AuthConfig } from '../auth-config';
import type { AuthUser } from '../auth-user';
import { Clock } from '../clock';
import { InsufficientScopeError, TemporarilyUnavailableError } from '../errors';
import { JwtAuthGuard } from '../validation/jwt-auth.guard';
import { AnyOf } from './any-of.decorator';
import { AUTHORIZATION_PROVIDERS } from './authorization.providers';
import type { ClaimDecorator } from './claim-decorator';
import { ClaimsGuard } from './claims.guard';
import { GROUPS_OVERAGE_MESSAGE, GroupsResolver } from './groups-resolver';
import { Groups } from './groups.decorator';
import { Public } from './public.decorator';
import { ResolvedGroupsCache } from './resolved-groups.cache';
import { Roles } from './roles.decorator';
import { ScopesOrAppPermissions } from './scope-or-app-permission.decorator';
import { Scopes } from './scopes.decorator';

// Unit-level HTTP specs: a test-only guard stands in for JwtAuthGuard and takes the AuthUser from
// the `x-test-user` header (JSON), so every row can state its claims directly. The e2e specs in
// test/ run the same rules with real tokens.

const USER_DEFAULTS = {
  subject: 'user-1',
  issuer: 'https://i.test/',
  scopes: [],
  roles: [],
  groups: [],
  hasGroupsOverage: false,
  kind: 'user',
  issuedAt: 0,
  expiresAt: 0,
  claims: {},
};

@Injectable()
class TestAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest();
    const raw = req.headers['x-test-user'];
    if (typeof raw === 'string') req.user = { ...USER_DEFAULTS, ...JSON.parse(raw) };
    return true;
  }
}

class FakeClock extends Clock {
  time = 1_700_000_000_000;
  override now() {
    return this.time;
  }
}

/** A real resolver: a class extending GroupsResolver, recording who it was asked about. */
class RecordingResolver extends GroupsResolver {
  readonly calls: AuthUser[] = [];
  constructor(private readonly answer: (user: AuthUser) => Promise<unknown>) {
    super();
  }
  resolve(user: AuthUser): Promise<readonly string[]> {
    this.calls.push(user);
    return this.answer(user) as Promise<readonly string[]>;
  }
}

// ---------------------------------------------------------------------------------------------
// Controllers: the same shapes for each decorator.

type Kind = 'scopes' | 'roles' | 'groups';
const NAMES: Record<Kind, [string, string, string]> = {
  scopes: ['Payments.Read', 'Payments.Write', 'Payments.Approve'],
  roles: ['Reader', 'Admin', 'Auditor'],
  groups: ['group-a', 'group-b', 'group-c'],
};
const NOUN: Record<Kind, string> = { scopes: 'scope', roles: 'role', groups: 'group' };
const DECORATOR: Record<Kind, ClaimDecorator> = { scopes: Scopes, roles: Roles, groups: Groups };

function controllersFor(kind: Kind): Type[] {
  const D = DECORATOR[kind];
  const [a, b, c] = NAMES[kind];

  @Controller(kind)
  class HandlerLevel {
    @Get('open') open() {
      return 'ok';
    }
    @Get('any') @D(a, b) any() {
      return 'ok';
    }
    @Get('all') @D.all(a, b) all() {
      return 'ok';
    }
    @Get('stacked') @D(a) @D(b) stacked() {
      return 'ok';
    }
    @Get('public') @Public() @D(a) pub() {
      return 'ok';
    }
  }

  @Controller(`${kind}-class`)
  @D(a, b)
  class ClassLevel {
    @Get('plain') plain() {
      return 'ok';
    }
    @Get('both') @D(c) both() {
      return 'ok';
    }
    @Get('public') @Public() pub() {
      return 'ok';
    }
  }

  @Controller(`${kind}-class-all`)
  @D.all(a, b)
  class ClassAll {
    @Get() get() {
      return 'ok';
    }
  }

  @Controller(`${kind}-public`)
  @Public()
  class PublicLevel {
    @Get() @D(a) get() {
      return 'ok';
    }
  }

  return [HandlerLevel, ClassLevel, ClassAll, PublicLevel];
}

@Controller('clm')
class Clm14Controller {
  @Get('scoped') @Scopes('Data.Read') scoped() {
    return 'ok';
  }
  @Get('admin') @Roles('Admin') admin() {
    return 'ok';
  }
}

@Controller('a4')
class A4Controller {
  @Get('data')
  @ScopesOrAppPermissions({
    scopes: ['Data.Read', 'Data.Write'],
    appPermissions: ['Data.Read.All'],
  })
  data() {
    return 'ok';
  }
}

@Controller('a4-class')
@ScopesOrAppPermissions({ scopes: ['Data.Read'], appPermissions: ['Data.Read.All'] })
class A4ClassController {
  @Get('write')
  @ScopesOrAppPermissions({ scopes: ['Data.Write'], appPermissions: ['Data.Write.All'] })
  write() {
    return 'ok';
  }
}

@Controller('mixed')
@Scopes('Payments.Read')
class MixedController {
  @Get() @Groups('group-a') get() {
    return 'ok';
  }
}

// @AnyOf: one requirement, several kinds (OR inside it, AND with everything else).
const APPROVE = { roles: ['Payments.Approver'], groups: ['group-admins'] };

@Controller('any-of')
class AnyOfController {
  @Get('role-or-group') @AnyOf(APPROVE) roleOrGroup() {
    return 'ok';
  }
  @Get('every-kind')
  @AnyOf({
    scopes: ['Data.Read', 'Data.Write'],
    roles: ['Data.Reader'],
    groups: ['group-a', 'group-b'],
  })
  everyKind() {
    return 'ok';
  }
  @Get('scope-or-role') @AnyOf({ scopes: ['Data.Read'], roles: ['Data.Reader'] }) tokenOnly() {
    return 'ok';
  }
  @Get('stacked')
  @AnyOf({ roles: ['R1'], groups: ['group-1'] })
  @AnyOf({ roles: ['R2'], groups: ['group-2'] })
  stacked() {
    return 'ok';
  }
  @Get('public') @Public() @AnyOf(APPROVE) pub() {
    return 'ok';
  }
}

@Controller('any-of-class')
@AnyOf(APPROVE)
class AnyOfClassController {
  @Get('plain') plain() {
    return 'ok';
  }
  @Get('scoped') @Scopes('Payments.Write') scoped() {
    return 'ok';
  }
  @Get('both') @AnyOf({ scopes: ['Payments.Write'], groups: ['group-writers'] }) both() {
    return 'ok';
  }
}

@Controller('any-of-mixed')
@Scopes('Payments.Read')
class AnyOfMixedController {
  @Get() @AnyOf(APPROVE) get() {
    return 'ok';
  }
}

const CONTROLLERS = [
  ...controllersFor('scopes'),
  ...controllersFor('roles'),
  ...controllersFor('groups'),
  Clm14Controller,
  A4Controller,
  A4ClassController,
  MixedController,
  AnyOfController,
  AnyOfClassController,
  AnyOfMixedController,
];

// ---------------------------------------------------------------------------------------------
// The app and the assertions.

interface AppOptions {
  global: boolean;
  resolver?: GroupsResolver;
  clock?: Clock;
  groupsCacheTtl?: number;
}

async function createApp(options: AppOptions): Promise<INestApplication> {
  const config = new AuthConfig({
    issuer: 'https://i.test/',
    audience: 'api://a',
    jwksUri: 'https://i.test/jwks',
    groupsCacheTtl: options.groupsCacheTtl,
  });
  let builder = Test.createTestingModule({
    controllers: CONTROLLERS,
    providers: [
      { provide: AuthConfig, useValue: config },
      Clock,
      ...AUTHORIZATION_PROVIDERS,
      // As AuthModule does with globalGuards: authentication first, then ClaimsGuard.
      ...(options.global
        ? [
            { provide: APP_GUARD, useClass: TestAuthGuard },
            { provide: APP_GUARD, useExisting: ClaimsGuard },
          ]
        : []),
    ],
  })
    // The decorators apply JwtAuthGuard themselves; here it is the test guard.
    .overrideGuard(JwtAuthGuard)
    .useValue(new TestAuthGuard());
  if (options.resolver)
    builder = builder.overrideProvider(GroupsResolver).useValue(options.resolver);
  if (options.clock) builder = builder.overrideProvider(Clock).useValue(options.clock);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

type UserFields = Record<string, unknown>;

function call(app: INestApplication, path: string, user?: UserFields) {
  const req = request(app.getHttpServer()).get(path);
  return user ? req.set('x-test-user', JSON.stringify(user)) : req;
}

function challenge(message: string, scope: string): string {
  const description = message.replace(/(["\\])/g, '\\$1');
  return `Bearer realm="api", error="insufficient_scope", error_description="${description}", scope="${scope}"`;
}

type Expected = { status: 200 } | { status: 401 } | { status: 403; message: string; scope: string };

async function expectOutcome(res: request.Response, expected: Expected): Promise<void> {
  expect(res.status).toBe(expected.status);
  if (expected.status === 200) {
    expect(res.text).toBe('ok');
    expect(res.headers['www-authenticate']).toBeUndefined();
  } else if (expected.status === 401) {
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
    expect(res.body).toEqual({
      statusCode: 401,
      message: 'Bearer token required',
      error: 'Unauthorized',
    });
  } else {
    expect(res.headers['www-authenticate']).toBe(challenge(expected.message, expected.scope));
    expect(res.body).toEqual({ statusCode: 403, message: expected.message, error: 'Forbidden' });
  }
}

const OK: Expected = { status: 200 };
const NO_USER: Expected = { status: 401 };
const PREFIX = 'Insufficient permissions: requires';

// ---------------------------------------------------------------------------------------------
// The matrix: decorator × any/all × class/handler/both × @Public at each level × token kind.

interface Row {
  path: string;
  have?: string[]; // undefined: no AuthUser on the request
  expected: Expected;
}

function matrixFor(kind: Kind): Row[] {
  const [a, b, c] = NAMES[kind];
  const noun = NOUN[kind];
  const anyAB: Expected = {
    status: 403,
    message: `${PREFIX} one of the ${noun}s ${a}, ${b}`,
    scope: `${a} ${b}`,
  };
  const allAB = (missing: string): Expected => ({
    status: 403,
    message: `${PREFIX} all of the ${noun}s ${a}, ${b}; missing ${missing}`,
    scope: `${a} ${b}`,
  });
  const only = (name: string): Expected => ({
    status: 403,
    message: `${PREFIX} ${noun} ${name}`,
    scope: name,
  });
  return [
    // no requirement
    { path: `/${kind}/open`, expected: OK },
    { path: `/${kind}/open`, have: [], expected: OK },
    // handler, any-of
    { path: `/${kind}/any`, have: [a], expected: OK },
    { path: `/${kind}/any`, have: [b], expected: OK },
    { path: `/${kind}/any`, have: [c, b], expected: OK },
    { path: `/${kind}/any`, have: [c], expected: anyAB },
    { path: `/${kind}/any`, have: [], expected: anyAB },
    {
      path: `/${kind}/any`,
      have: [a.toUpperCase(), `${a} `, `X${a}`, a.slice(1)],
      expected: anyAB,
    },
    { path: `/${kind}/any`, expected: NO_USER },
    // handler, all-of
    { path: `/${kind}/all`, have: [a, b], expected: OK },
    { path: `/${kind}/all`, have: [b, c, a], expected: OK },
    { path: `/${kind}/all`, have: [a], expected: allAB(b) },
    { path: `/${kind}/all`, have: [b, c], expected: allAB(a) },
    { path: `/${kind}/all`, have: [], expected: allAB(`${a}, ${b}`) },
    // two decorations on one handler: both must pass
    { path: `/${kind}/stacked`, have: [a, b], expected: OK },
    { path: `/${kind}/stacked`, have: [a], expected: only(b) },
    { path: `/${kind}/stacked`, have: [b], expected: only(a) },
    // @Public on the handler
    { path: `/${kind}/public`, expected: OK },
    { path: `/${kind}/public`, have: [], expected: OK },
    // class only
    { path: `/${kind}-class/plain`, have: [a], expected: OK },
    { path: `/${kind}-class/plain`, have: [b], expected: OK },
    { path: `/${kind}-class/plain`, have: [c], expected: anyAB },
    { path: `/${kind}-class/plain`, expected: NO_USER },
    // class AND handler (A5: the handler adds, never loosens)
    { path: `/${kind}-class/both`, have: [a, c], expected: OK },
    { path: `/${kind}-class/both`, have: [b, c], expected: OK },
    { path: `/${kind}-class/both`, have: [a], expected: only(c) },
    { path: `/${kind}-class/both`, have: [c], expected: anyAB },
    { path: `/${kind}-class/both`, have: [], expected: anyAB },
    // @Public on a handler of a decorated class
    { path: `/${kind}-class/public`, expected: OK },
    // class, all-of
    { path: `/${kind}-class-all`, have: [a, b], expected: OK },
    { path: `/${kind}-class-all`, have: [a], expected: allAB(b) },
    // @Public on the class, requirement on the handler
    { path: `/${kind}-public`, expected: OK },
    { path: `/${kind}-public`, have: [], expected: OK },
  ];
}

const SETUPS = [
  ['global guards (AuthModule default)', true],
  ['decorator guards only (globalGuards: false)', false],
] as const;

describe.each(SETUPS)('ClaimsGuard over HTTP — %s', (_setup, global) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp({ global });
  });
  afterAll(() => app.close());

  describe.each<Kind>(['scopes', 'roles', 'groups'])('@%s', (kind) => {
    describe.each(['user', 'app'] as const)('%s token', (tokenKind) => {
      it.each(
        matrixFor(kind).map((row) => [row.path, row.have, row.expected.status, row] as const),
      )('GET %s with %j → %d', async (path, have, _status, row) => {
        const user = have === undefined ? undefined : { kind: tokenKind, [kind]: have };
        await expectOutcome(await call(app, path, user), row.expected);
      });
    });
  });

  describe('ATTACKS CLM-14: whole, case-sensitive matches of well-typed lists', () => {
    const scoped: Expected = {
      status: 403,
      message: `${PREFIX} scope Data.Read`,
      scope: 'Data.Read',
    };
    const admin: Expected = { status: 403, message: `${PREFIX} role Admin`, scope: 'Admin' };
    it.each<[string, UserFields, Expected]>([
      ['/clm/scoped', { scopes: ['Data.ReadWrite'] }, scoped],
      ['/clm/scoped', { scopes: ['Data.Read.All'] }, scoped],
      ['/clm/scoped', { scopes: ['data.read'] }, scoped],
      ['/clm/scoped', { scopes: ['XData.Read'] }, scoped],
      ['/clm/scoped', { scopes: [''] }, scoped],
      ['/clm/scoped', { scopes: [] }, scoped],
      ['/clm/scoped', { scopes: 'Data.Read' }, scoped], // a string, not a list
      ['/clm/scoped', { scopes: [['Data.Read']] }, scoped],
      ['/clm/scoped', { scopes: ['User.Read Data.Read'] }, scoped], // never re-split here
      // an app-only token on a delegated route: roles never satisfy @Scopes
      ['/clm/scoped', { kind: 'app', scopes: [], roles: ['Data.Read'] }, scoped],
      ['/clm/scoped', { scopes: ['User.Read', 'Data.Read'] }, OK],
      ['/clm/admin', { roles: 'NotAdmin' }, admin],
      ['/clm/admin', { roles: 'Admin' }, admin],
      ['/clm/admin', { roles: ['admin'] }, admin],
      ['/clm/admin', { roles: ['Admin '] }, admin],
      ['/clm/admin', { roles: ['SuperAdmin'] }, admin],
      ['/clm/admin', { roles: [['Admin']] }, admin],
      ['/clm/admin', { roles: { 0: 'Admin' } }, admin],
      ['/clm/admin', { scopes: ['Admin'] }, admin], // scopes never satisfy @Roles
      ['/clm/admin', { groups: ['Admin'] }, admin],
      ['/clm/admin', { roles: ['Reader', 'Admin'] }, OK],
    ])('GET %s with %j', async (path, user, expected) => {
      await expectOutcome(await call(app, path, user), expected);
    });
  });

  describe('@ScopesOrAppPermissions (A4)', () => {
    const data: Expected = {
      status: 403,
      message: `${PREFIX} one of the scopes Data.Read, Data.Write in a delegated token, or application permission Data.Read.All in an application token`,
      scope: 'Data.Read Data.Write Data.Read.All',
    };
    const classLevel: Expected = {
      status: 403,
      message: `${PREFIX} scope Data.Read in a delegated token, or application permission Data.Read.All in an application token`,
      scope: 'Data.Read Data.Read.All',
    };
    const handlerLevel: Expected = {
      status: 403,
      message: `${PREFIX} scope Data.Write in a delegated token, or application permission Data.Write.All in an application token`,
      scope: 'Data.Write Data.Write.All',
    };
    it.each<[string, UserFields | undefined, Expected]>([
      ['/a4/data', { kind: 'user', scopes: ['Data.Write'] }, OK],
      ['/a4/data', { kind: 'app', roles: ['Data.Read.All'] }, OK],
      ['/a4/data', { kind: 'user', roles: ['Data.Read.All'] }, data], // a user's role is not an app permission
      ['/a4/data', { kind: 'app', scopes: ['Data.Read'] }, data],
      ['/a4/data', { kind: 'user', scopes: ['Data.Read.All'] }, data],
      ['/a4/data', { kind: 'app', roles: ['Data.Read'] }, data],
      ['/a4/data', { kind: 'user' }, data],
      ['/a4/data', undefined, NO_USER],
      ['/a4-class/write', { kind: 'user', scopes: ['Data.Read', 'Data.Write'] }, OK],
      ['/a4-class/write', { kind: 'user', scopes: ['Data.Write'] }, classLevel],
      ['/a4-class/write', { kind: 'user', scopes: ['Data.Read'] }, handlerLevel],
      ['/a4-class/write', { kind: 'app', roles: ['Data.Read.All', 'Data.Write.All'] }, OK],
      ['/a4-class/write', { kind: 'app', roles: ['Data.Read.All'] }, handlerLevel],
      [
        '/a4-class/write',
        { kind: 'user', scopes: ['Data.Read'], roles: ['Data.Write.All'] },
        handlerLevel,
      ],
    ])('GET %s with %j', async (path, user, expected) => {
      await expectOutcome(await call(app, path, user), expected);
    });
  });

  describe('@AnyOf', () => {
    const approve: Expected = {
      status: 403,
      message: `${PREFIX} role Payments.Approver or group group-admins`,
      scope: 'Payments.Approver group-admins',
    };
    const everyKind: Expected = {
      status: 403,
      message:
        `${PREFIX} one of the scopes Data.Read, Data.Write in a delegated token, ` +
        'or role Data.Reader, or one of the groups group-a, group-b',
      scope: 'Data.Read Data.Write Data.Reader group-a group-b',
    };
    const tokenOnly: Expected = {
      status: 403,
      message: `${PREFIX} scope Data.Read in a delegated token or role Data.Reader`,
      scope: 'Data.Read Data.Reader',
    };
    const r1: Expected = {
      status: 403,
      message: `${PREFIX} role R1 or group group-1`,
      scope: 'R1 group-1',
    };
    const r2: Expected = {
      status: 403,
      message: `${PREFIX} role R2 or group group-2`,
      scope: 'R2 group-2',
    };
    const write: Expected = {
      status: 403,
      message: `${PREFIX} scope Payments.Write`,
      scope: 'Payments.Write',
    };
    const writeOrWriters: Expected = {
      status: 403,
      message: `${PREFIX} scope Payments.Write in a delegated token or group group-writers`,
      scope: 'Payments.Write group-writers',
    };
    const read: Expected = {
      status: 403,
      message: `${PREFIX} scope Payments.Read`,
      scope: 'Payments.Read',
    };
    it.each<[string, UserFields | undefined, Expected]>([
      // the role, or the group, in either kind of token
      ['/any-of/role-or-group', { kind: 'user', roles: ['Payments.Approver'] }, OK],
      ['/any-of/role-or-group', { kind: 'app', roles: ['Payments.Approver'] }, OK],
      ['/any-of/role-or-group', { kind: 'user', groups: ['group-admins'] }, OK],
      ['/any-of/role-or-group', { kind: 'app', groups: ['group-admins'] }, OK],
      ['/any-of/role-or-group', { roles: ['Payments.Approver'], groups: ['group-admins'] }, OK],
      ['/any-of/role-or-group', { groups: ['group-other', 'group-admins'] }, OK],
      ['/any-of/role-or-group', { kind: 'user' }, approve],
      ['/any-of/role-or-group', { kind: 'app' }, approve],
      // each name counts only in its own list, whole and case-sensitive (CLM-14)
      ['/any-of/role-or-group', { roles: ['group-admins'] }, approve],
      ['/any-of/role-or-group', { groups: ['Payments.Approver'] }, approve],
      ['/any-of/role-or-group', { scopes: ['Payments.Approver', 'group-admins'] }, approve],
      [
        '/any-of/role-or-group',
        { roles: ['payments.approver'], groups: ['Group-Admins'] },
        approve,
      ],
      ['/any-of/role-or-group', { roles: 'Payments.Approver', groups: 'group-admins' }, approve],
      ['/any-of/role-or-group', { roles: [['Payments.Approver']] }, approve],
      ['/any-of/role-or-group', undefined, NO_USER],
      // scopes are delegated: a user token's only
      ['/any-of/every-kind', { kind: 'user', scopes: ['Data.Write'] }, OK],
      ['/any-of/every-kind', { kind: 'app', scopes: ['Data.Write'] }, everyKind],
      ['/any-of/every-kind', { kind: 'app', roles: ['Data.Reader'] }, OK],
      ['/any-of/every-kind', { kind: 'app', groups: ['group-b'] }, OK],
      [
        '/any-of/every-kind',
        { kind: 'user', roles: ['Data.Read'], groups: ['Data.Read'] },
        everyKind,
      ],
      ['/any-of/every-kind', { kind: 'user', scopes: ['Data.ReadWrite'] }, everyKind],
      ['/any-of/scope-or-role', { kind: 'user', scopes: ['Data.Read'] }, OK],
      ['/any-of/scope-or-role', { kind: 'app', scopes: ['Data.Read'] }, tokenOnly],
      ['/any-of/scope-or-role', { kind: 'app', roles: ['Data.Reader'] }, OK],
      ['/any-of/scope-or-role', { kind: 'user' }, tokenOnly],
      // two decorations on one handler: each is one requirement, both must pass
      ['/any-of/stacked', { roles: ['R1', 'R2'] }, OK],
      ['/any-of/stacked', { roles: ['R1'], groups: ['group-2'] }, OK],
      ['/any-of/stacked', { groups: ['group-1', 'group-2'] }, OK],
      ['/any-of/stacked', { roles: ['R1'] }, r2],
      ['/any-of/stacked', { groups: ['group-2'] }, r1],
      ['/any-of/public', undefined, OK],
      ['/any-of/public', {}, OK],
      // class AND handler (A5): the handler adds a requirement, never loosens the class's
      ['/any-of-class/plain', { groups: ['group-admins'] }, OK],
      ['/any-of-class/plain', { scopes: ['Payments.Write'] }, approve],
      ['/any-of-class/scoped', { roles: ['Payments.Approver'], scopes: ['Payments.Write'] }, OK],
      ['/any-of-class/scoped', { roles: ['Payments.Approver'] }, write],
      ['/any-of-class/scoped', { scopes: ['Payments.Write'] }, approve],
      ['/any-of-class/both', { groups: ['group-admins', 'group-writers'] }, OK],
      ['/any-of-class/both', { roles: ['Payments.Approver'], scopes: ['Payments.Write'] }, OK],
      ['/any-of-class/both', { groups: ['group-admins'] }, writeOrWriters],
      [
        '/any-of-class/both',
        { kind: 'app', roles: ['Payments.Approver'], scopes: ['Payments.Write'] },
        writeOrWriters,
      ],
      ['/any-of-class/both', { groups: ['group-writers'] }, approve],
      ['/any-of-class/both', undefined, NO_USER],
      // with other decorators: every requirement passes or the first failing one answers
      ['/any-of-mixed', { scopes: ['Payments.Read'], groups: ['group-admins'] }, OK],
      ['/any-of-mixed', { groups: ['group-admins'] }, read],
      ['/any-of-mixed', { scopes: ['Payments.Read'] }, approve],
    ])('GET %s with %j', async (path, user, expected) => {
      await expectOutcome(await call(app, path, user), expected);
    });
  });

  describe('groups overage with the default resolver', () => {
    it('denies with a 403 that names the overage and GroupsResolver', async () => {
      expect(GROUPS_OVERAGE_MESSAGE).toMatch(/groups overage.*GroupsResolver/);
      const res = await call(app, '/groups/any', { groups: [], hasGroupsOverage: true });
      await expectOutcome(res, {
        status: 403,
        message: GROUPS_OVERAGE_MESSAGE,
        scope: 'group-a group-b',
      });
    });

    it('still passes when the token itself carries a matching group', async () => {
      const res = await call(app, '/groups/any', { groups: ['group-b'], hasGroupsOverage: true });
      await expectOutcome(res, OK);
    });

    it('denies @AnyOf with the overage message when no scope or role of it passed', async () => {
      const res = await call(app, '/any-of/role-or-group', { groups: [], hasGroupsOverage: true });
      await expectOutcome(res, {
        status: 403,
        message: GROUPS_OVERAGE_MESSAGE,
        scope: 'Payments.Approver group-admins',
      });
      const app_ = await call(app, '/any-of/every-kind', {
        kind: 'app',
        scopes: ['Data.Read'],
        hasGroupsOverage: true,
      });
      await expectOutcome(app_, {
        status: 403,
        message: GROUPS_OVERAGE_MESSAGE,
        scope: 'Data.Read Data.Write Data.Reader group-a group-b',
      });
    });

    it('passes @AnyOf on its role, its scope or a group the token carries, despite an overage', async () => {
      for (const user of [
        { roles: ['Payments.Approver'] },
        { kind: 'app', roles: ['Payments.Approver'] },
        { groups: ['group-admins'] },
      ]) {
        const res = await call(app, '/any-of/role-or-group', { ...user, hasGroupsOverage: true });
        await expectOutcome(res, OK);
      }
      const scoped = await call(app, '/any-of/every-kind', {
        scopes: ['Data.Read'],
        hasGroupsOverage: true,
      });
      await expectOutcome(scoped, OK);
    });

    it('is not consulted for @AnyOf without groups: its own message', async () => {
      const res = await call(app, '/any-of/scope-or-role', { hasGroupsOverage: true });
      await expectOutcome(res, {
        status: 403,
        message: `${PREFIX} scope Data.Read in a delegated token or role Data.Reader`,
        scope: 'Data.Read Data.Reader',
      });
    });

    it('is not consulted for routes without @Groups', async () => {
      const res = await call(app, '/scopes/any', {
        scopes: ['Payments.Read'],
        hasGroupsOverage: true,
      });
      await expectOutcome(res, OK);
    });
  });
});

describe.each(SETUPS)('ClaimsGuard groups overage with a resolver — %s', (_setup, global) => {
  const overage = (fields: UserFields = {}) => ({ groups: [], hasGroupsOverage: true, ...fields });
  let app: INestApplication;
  afterEach(() => app?.close());

  it('passes with the groups the resolver returns, and hands it the AuthUser', async () => {
    const resolver = new RecordingResolver(async () => ['group-x', 'group-b']);
    app = await createApp({ global, resolver });
    await expectOutcome(await call(app, '/groups/any', overage()), OK);
    await expectOutcome(await call(app, '/groups/all', overage({ subject: 'user-2' })), {
      status: 403,
      message: `${PREFIX} all of the groups group-a, group-b; missing group-a`,
      scope: 'group-a group-b',
    });
    expect(resolver.calls.map((u) => u.subject)).toEqual(['user-1', 'user-2']);
  });

  it('denies with the usual message when the resolved groups do not match', async () => {
    app = await createApp({ global, resolver: new RecordingResolver(async () => ['group-x']) });
    await expectOutcome(await call(app, '/groups/any', overage()), {
      status: 403,
      message: `${PREFIX} one of the groups group-a, group-b`,
      scope: 'group-a group-b',
    });
  });

  it('caches per issuer and subject for groupsCacheTtl, timed by the Clock', async () => {
    const clock = new FakeClock();
    const resolver = new RecordingResolver(async () => ['group-a']);
    app = await createApp({ global, resolver, clock, groupsCacheTtl: 60 });
    await expectOutcome(await call(app, '/groups/any', overage()), OK);
    await expectOutcome(await call(app, '/groups-class/plain', overage()), OK);
    expect(resolver.calls).toHaveLength(1);
    await expectOutcome(await call(app, '/groups/any', overage({ subject: 'user-2' })), OK);
    await expectOutcome(
      await call(app, '/groups/any', overage({ issuer: 'https://other.test/' })),
      OK,
    );
    expect(resolver.calls).toHaveLength(3);
    clock.time += 59_999;
    await expectOutcome(await call(app, '/groups/any', overage()), OK);
    expect(resolver.calls).toHaveLength(3);
    clock.time += 1;
    await expectOutcome(await call(app, '/groups/any', overage()), OK);
    expect(resolver.calls).toHaveLength(4);
  });

  it('asks once per request although the guard runs at every level (idempotent)', async () => {
    const resolver = new RecordingResolver(async () => ['group-a', 'group-c']);
    app = await createApp({ global, resolver, groupsCacheTtl: 0 });
    await expectOutcome(await call(app, '/groups-class/both', overage()), OK);
    expect(resolver.calls).toHaveLength(1);
    await expectOutcome(await call(app, '/groups-class/both', overage()), OK);
    expect(resolver.calls).toHaveLength(2); // TTL 0: no cache, one call per request
  });

  it('checks token-only requirements first: no lookup for a request that fails them', async () => {
    const resolver = new RecordingResolver(async () => ['group-a']);
    app = await createApp({ global, resolver });
    await expectOutcome(await call(app, '/mixed', overage()), {
      status: 403,
      message: `${PREFIX} scope Payments.Read`,
      scope: 'Payments.Read',
    });
    expect(resolver.calls).toHaveLength(0);
    await expectOutcome(await call(app, '/mixed', overage({ scopes: ['Payments.Read'] })), OK);
    expect(resolver.calls).toHaveLength(1);
  });

  it('answers 503 with Retry-After when the resolver fails, and does not cache the failure', async () => {
    let fail = true;
    const resolver = new RecordingResolver(async () => {
      if (fail) throw new Error('connect ECONNREFUSED graph.microsoft.com');
      return ['group-a'];
    });
    app = await createApp({ global, resolver });
    const res = await call(app, '/groups/any', overage());
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(res.body).toEqual({
      statusCode: 503,
      message: 'Group membership could not be checked; try again later',
      error: 'Service Unavailable',
    });
    fail = false;
    await expectOutcome(await call(app, '/groups/any', overage()), OK);
    expect(resolver.calls).toHaveLength(2);
  });

  it.each<[string, unknown]>([
    ['a string', 'boom'],
    [
      'an object whose toString throws',
      {
        toString: () => {
          throw new Error('no');
        },
      },
    ],
  ])('answers 503 when the resolver throws %s', async (_name, thrown) => {
    app = await createApp({
      global,
      resolver: new RecordingResolver(() => Promise.reject(thrown)),
    });
    const res = await call(app, '/groups/any', overage());
    expect(res.status).toBe(503);
  });

  it.each<[string, unknown]>([
    ['not an array', { value: ['group-a'] }],
    ['a string', 'group-a'],
    ['non-strings', ['group-a', 7]],
    ['undefined', undefined],
  ])('answers 503 when the resolver returns %s (a bug, never a pass)', async (_name, answer) => {
    app = await createApp({ global, resolver: new RecordingResolver(async () => answer) });
    const res = await call(app, '/groups/any', overage());
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
  });

  it("keeps a resolver's own TemporarilyUnavailableError (its Retry-After too)", async () => {
    const resolver = new RecordingResolver(async () => {
      throw new TemporarilyUnavailableError('Graph is throttling us', 30);
    });
    app = await createApp({ global, resolver });
    const res = await call(app, '/groups/any', overage());
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('30');
    expect(res.body.message).toBe('Graph is throttling us');
  });

  it('turns a deliberate InsufficientScopeError into a 403 that lists the groups', async () => {
    const resolver = new RecordingResolver(async () => {
      throw new InsufficientScopeError([], 'Insufficient permissions: guests have no groups here');
    });
    app = await createApp({ global, resolver });
    await expectOutcome(await call(app, '/groups-class/both', overage()), {
      status: 403,
      message: 'Insufficient permissions: guests have no groups here',
      scope: 'group-a group-b',
    });
  });

  describe('@AnyOf', () => {
    it('asks the resolver only when no scope or role of it passed, and passes on its groups', async () => {
      const resolver = new RecordingResolver(async () => ['group-x', 'group-admins']);
      app = await createApp({ global, resolver, groupsCacheTtl: 0 });
      await expectOutcome(
        await call(app, '/any-of/role-or-group', overage({ roles: ['Payments.Approver'] })),
        OK,
      );
      await expectOutcome(
        await call(app, '/any-of/every-kind', overage({ scopes: ['Data.Read'] })),
        OK,
      );
      await expectOutcome(
        await call(app, '/any-of/every-kind', overage({ kind: 'app', roles: ['Data.Reader'] })),
        OK,
      );
      await expectOutcome(await call(app, '/any-of/scope-or-role', overage()), {
        status: 403,
        message: `${PREFIX} scope Data.Read in a delegated token or role Data.Reader`,
        scope: 'Data.Read Data.Reader',
      });
      expect(resolver.calls).toHaveLength(0);
      await expectOutcome(await call(app, '/any-of/role-or-group', overage()), OK);
      await expectOutcome(
        await call(app, '/any-of/role-or-group', overage({ kind: 'app', subject: 'daemon' })),
        OK,
      );
      expect(resolver.calls.map((u) => u.subject)).toEqual(['user-1', 'daemon']);
    });

    it('asks for an app token whose only match is a scope (scopes are delegated)', async () => {
      const resolver = new RecordingResolver(async () => ['group-x']);
      app = await createApp({ global, resolver });
      await expectOutcome(
        await call(app, '/any-of/every-kind', overage({ kind: 'app', scopes: ['Data.Read'] })),
        {
          status: 403,
          message:
            `${PREFIX} one of the scopes Data.Read, Data.Write in a delegated token, ` +
            'or role Data.Reader, or one of the groups group-a, group-b',
          scope: 'Data.Read Data.Write Data.Reader group-a group-b',
        },
      );
      expect(resolver.calls).toHaveLength(1);
    });

    it('denies with the usual message when the resolved groups do not match', async () => {
      app = await createApp({ global, resolver: new RecordingResolver(async () => ['group-x']) });
      await expectOutcome(await call(app, '/any-of/role-or-group', overage()), {
        status: 403,
        message: `${PREFIX} role Payments.Approver or group group-admins`,
        scope: 'Payments.Approver group-admins',
      });
    });

    it('asks once for the class and the handler requirement together (AND)', async () => {
      const resolver = new RecordingResolver(async () => ['group-admins', 'group-writers']);
      app = await createApp({ global, resolver, groupsCacheTtl: 0 });
      await expectOutcome(await call(app, '/any-of-class/both', overage()), OK);
      expect(resolver.calls).toHaveLength(1);
      // One passes by the token, the other needs the lookup: the lookup decides it.
      await expectOutcome(
        await call(app, '/any-of-class/both', overage({ roles: ['Payments.Approver'] })),
        OK,
      );
      expect(resolver.calls).toHaveLength(2);
      await expectOutcome(
        await call(
          app,
          '/any-of-class/both',
          overage({ roles: ['Payments.Approver'], scopes: ['Payments.Write'] }),
        ),
        OK,
      );
      expect(resolver.calls).toHaveLength(2);
    });

    it('the resolved groups must satisfy both levels', async () => {
      const resolver = new RecordingResolver(async () => ['group-admins']);
      app = await createApp({ global, resolver });
      await expectOutcome(await call(app, '/any-of-class/both', overage()), {
        status: 403,
        message: `${PREFIX} scope Payments.Write in a delegated token or group group-writers`,
        scope: 'Payments.Write group-writers',
      });
    });

    it('checks token-only requirements first: no lookup for a request that fails them', async () => {
      const resolver = new RecordingResolver(async () => ['group-admins']);
      app = await createApp({ global, resolver });
      await expectOutcome(await call(app, '/any-of-mixed', overage()), {
        status: 403,
        message: `${PREFIX} scope Payments.Read`,
        scope: 'Payments.Read',
      });
      expect(resolver.calls).toHaveLength(0);
      await expectOutcome(
        await call(app, '/any-of-mixed', overage({ scopes: ['Payments.Read'] })),
        OK,
      );
      expect(resolver.calls).toHaveLength(1);
    });

    it('caches the resolved groups, shared with @Groups routes', async () => {
      const resolver = new RecordingResolver(async () => ['group-admins', 'group-a']);
      app = await createApp({ global, resolver });
      await expectOutcome(await call(app, '/any-of/role-or-group', overage()), OK);
      await expectOutcome(await call(app, '/groups/any', overage()), OK);
      await expectOutcome(await call(app, '/any-of-class/plain', overage()), OK);
      expect(resolver.calls).toHaveLength(1);
    });

    it('answers 503 with Retry-After when the resolver fails', async () => {
      const resolver = new RecordingResolver(async () => {
        throw new Error('connect ETIMEDOUT graph.microsoft.com');
      });
      app = await createApp({ global, resolver });
      const res = await call(app, '/any-of/role-or-group', overage());
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.headers['www-authenticate']).toBeUndefined();
      expect(res.body).toEqual({
        statusCode: 503,
        message: 'Group membership could not be checked; try again later',
        error: 'Service Unavailable',
      });
      // …but not where a role of it passes: the resolver is never asked.
      await expectOutcome(
        await call(app, '/any-of/role-or-group', overage({ roles: ['Payments.Approver'] })),
        OK,
      );
    });

    it("turns the resolver's deliberate InsufficientScopeError into a 403 listing every name", async () => {
      const resolver = new RecordingResolver(async () => {
        throw new InsufficientScopeError(
          [],
          'Insufficient permissions: guests have no groups here',
        );
      });
      app = await createApp({ global, resolver });
      await expectOutcome(await call(app, '/any-of/role-or-group', overage()), {
        status: 403,
        message: 'Insufficient permissions: guests have no groups here',
        scope: 'Payments.Approver group-admins',
      });
    });
  });

  it('works with a resolver provided by class (useClass), through DI', async () => {
    @Injectable()
    class StaticResolver extends GroupsResolver {
      constructor(private readonly clock: Clock) {
        super();
      }
      async resolve(): Promise<string[]> {
        return this.clock.now() > 0 ? ['group-b'] : [];
      }
    }
    const moduleRef = await Test.createTestingModule({
      controllers: CONTROLLERS,
      providers: [
        {
          provide: AuthConfig,
          useValue: new AuthConfig({
            issuer: 'https://i.test/',
            audience: 'api://a',
            jwksUri: 'https://i.test/jwks',
          }),
        },
        Clock,
        ...AUTHORIZATION_PROVIDERS,
        ...(global
          ? [
              { provide: APP_GUARD, useClass: TestAuthGuard },
              { provide: APP_GUARD, useExisting: ClaimsGuard },
            ]
          : []),
      ],
    })
      .overrideGuard(JwtAuthGuard)
      .useValue(new TestAuthGuard())
      .overrideProvider(GroupsResolver)
      .useClass(StaticResolver)
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    await expectOutcome(await call(app, '/groups/any', overage()), OK);
  });
});

// ---------------------------------------------------------------------------------------------
// Contexts other than HTTP, and the protected hooks.

describe('ClaimsGuard outside HTTP, and its hooks', () => {
  let app: INestApplication;
  let guard: ClaimsGuard;
  beforeAll(async () => {
    app = await createApp({ global: true });
    guard = app.get(ClaimsGuard);
  });
  afterAll(() => app.close());

  const scoped = Clm14Controller.prototype.scoped;
  const open = controllersFor('scopes')[0].prototype.open;

  function context(type: string, handler: unknown, args: unknown[] = [], http?: unknown) {
    return {
      getType: () => type,
      getClass: () => Clm14Controller,
      getHandler: () => handler,
      getArgByIndex: (i: number) => args[i],
      switchToHttp: () => http,
      switchToWs: () => ({ getClient: () => args[0] }),
    } as unknown as ExecutionContext;
  }
  const user = (scopes: string[]) => ({ ...USER_DEFAULTS, scopes });
  /** canActivate answers synchronously when no group lookup is needed; as a promise here. */
  const activate = (g: ClaimsGuard, ctx: ExecutionContext) =>
    Promise.resolve().then(() => g.canActivate(ctx));

  it('denies an unknown context type that has requirements (fail closed)', async () => {
    const attempt = activate(guard, context('rpc', scoped));
    await expect(attempt).rejects.toBeInstanceOf(InsufficientScopeError);
    await expect(attempt).rejects.toMatchObject({
      message: 'Insufficient permissions: cannot authorize a "rpc" context',
      required: ['Data.Read'],
    });
  });

  it('lets an unknown context through only where there is no requirement', async () => {
    await expect(activate(guard, context('rpc', open))).resolves.toBe(true);
  });

  it('reads the user of a WebSocket handshake', async () => {
    const client = { handshake: { user: user(['Data.Read']) } };
    await expect(activate(guard, context('ws', scoped, [client]))).resolves.toBe(true);
    const denied = { handshake: { user: user([]) } };
    await expect(activate(guard, context('ws', scoped, [denied]))).rejects.toBeInstanceOf(
      InsufficientScopeError,
    );
  });

  it('reads a GraphQL context and sets the challenge on its response', async () => {
    const res = { setHeader: jest.fn() };
    const gqlContext = { req: { user: user(['Other']) }, res };
    await expect(
      activate(guard, context('graphql', scoped, [{}, {}, gqlContext])),
    ).rejects.toBeInstanceOf(InsufficientScopeError);
    expect(res.setHeader).toHaveBeenCalledWith(
      'WWW-Authenticate',
      challenge(`${PREFIX} scope Data.Read`, 'Data.Read'),
    );
  });

  it('treats a non-object request.user as no user (401)', async () => {
    const http = { getRequest: () => ({ user: 'admin' }), getResponse: () => undefined };
    await expect(activate(guard, context('http', scoped, [], http))).rejects.toMatchObject({
      status: 401,
    });
  });

  it('exposes protected hooks for subclasses (e.g. where the user lives)', async () => {
    class PrincipalClaimsGuard extends ClaimsGuard {
      protected override getUser(_context: ExecutionContext, request: Record<string, unknown>) {
        return request.principal as AuthUser | undefined;
      }
    }
    const subclass = new PrincipalClaimsGuard(
      app.get(Reflector),
      app.get(AuthConfig),
      app.get(GroupsResolver),
      app.get(ResolvedGroupsCache),
    );
    const http = {
      getRequest: () => ({ principal: user(['Data.Read']) }),
      getResponse: () => undefined,
    };
    await expect(activate(subclass, context('http', scoped, [], http))).resolves.toBe(true);
  });

  it('answers synchronously (no promise for Nest to await) when no group lookup is needed', () => {
    const request = { user: user(['Data.Read']) };
    const http = { getRequest: () => request, getResponse: () => undefined };
    expect(guard.canActivate(context('http', scoped, [], http))).toBe(true);
    // Marked: a second run on the same request passes at once, still synchronously.
    expect(guard.canActivate(context('http', scoped, [], http))).toBe(true);
    expect(() =>
      guard.canActivate(
        context('http', scoped, [], {
          getRequest: () => ({ user: user(['Other']) }),
          getResponse: () => undefined,
        }),
      ),
    ).toThrow(InsufficientScopeError);
  });
});
