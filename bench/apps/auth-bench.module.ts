import { Controller, DynamicModule, Get, Module } from '@nestjs/common';
import { AuthModule, CurrentUser, Public } from '@app/auth';

/**
 * The routes under test: one `@Public()`, one behind the module's global guards. The handlers
 * are the same but for that — both read the user the same way — so the difference between them
 * is what authentication costs.
 */
@Controller()
class AuthBenchController {
  @Get('open')
  @Public()
  open(@CurrentUser('subject') sub?: string): { sub: string } {
    return { sub: sub ?? 'anonymous' };
  }

  @Get('auth')
  auth(@CurrentUser('subject') sub?: string): { sub: string } {
    return { sub: sub ?? 'anonymous' };
  }
}

/** Settings of the module's bench app. */
export interface AuthBenchSettings {
  issuer: string;
  audience: string;
  jwksUri: string;
  /** Validation cache on (defaults) or off. */
  cache: boolean;
  /** Unknown-kid refetch cooldown, in seconds (short, so a flood spans several). */
  cooldown: number;
}

/**
 * A Nest app that uses the library through `@app/auth` only, configured as the README's quick
 * start is: the module's guards are global (DESIGN A6), so `/open` is `@Public()` and `/auth`
 * needs a valid token.
 *
 * Not `globalGuards: false` with `@UseGuards(JwtAuthGuard)`: a guard built in this module cannot
 * see the module's (unexported) `ValidationCache` and silently runs without it.
 */
@Module({})
export class AuthBenchModule {
  static register(settings: AuthBenchSettings): DynamicModule {
    return {
      module: AuthBenchModule,
      imports: [
        AuthModule.forRoot({
          issuer: settings.issuer,
          audience: settings.audience,
          jwksUri: settings.jwksUri,
          validationCache: settings.cache ? {} : false,
          jwks: { cooldown: settings.cooldown },
        }),
      ],
      controllers: [AuthBenchController],
    };
  }
}
