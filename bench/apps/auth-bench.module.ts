import { Controller, DynamicModule, Get, Module, UseGuards } from '@nestjs/common';
import { AuthModule, CurrentUser, JwtAuthGuard } from '@app/auth';

/** The routes under test: one open, one behind the module's guard. */
@Controller()
class AuthBenchController {
  @Get('open')
  open(): { sub: string } {
    return { sub: 'anonymous' };
  }

  @Get('auth')
  @UseGuards(JwtAuthGuard)
  auth(@CurrentUser('subject') sub: string): { sub: string } {
    return { sub };
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
 * A Nest app that uses the library through `@app/auth` only. Global guards are off so the open
 * route runs no guard at all (the strictest baseline); the guarded route uses `JwtAuthGuard`.
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
          globalGuards: false,
        }),
      ],
      controllers: [AuthBenchController],
    };
  }
}
