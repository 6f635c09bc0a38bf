import {
  Controller,
  DynamicModule,
  Get,
  Inject,
  Injectable,
  Module,
  Req,
  UseGuards,
} from '@nestjs/common';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { passportJwtSecret } from 'jwks-rsa';
import { ExtractJwt, Strategy } from 'passport-jwt';

const RECIPE_SETTINGS = Symbol('recipe settings');

/** Settings of the comparator app. */
export interface RecipeBenchSettings {
  issuer: string;
  audience: string;
  jwksUri: string;
}

/**
 * The usual recipe, as the NestJS and jwks-rsa docs show it: passport-jwt with
 * `jwksRsa.passportJwtSecret` (cache and rate limit on) behind stock `AuthGuard('jwt')`.
 */
@Injectable()
class RecipeJwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@Inject(RECIPE_SETTINGS) settings: RecipeBenchSettings) {
    super({
      secretOrKeyProvider: passportJwtSecret({
        cache: true,
        rateLimit: true,
        jwksRequestsPerMinute: 10,
        jwksUri: settings.jwksUri,
      }),
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      issuer: settings.issuer,
      audience: settings.audience,
      algorithms: ['RS256'],
    });
  }

  validate(payload: Record<string, unknown>): Record<string, unknown> {
    return payload;
  }
}

@Controller()
class RecipeBenchController {
  @Get('open')
  open(@Req() request: { user?: { sub: string } }): { sub: string } {
    return { sub: request.user?.sub ?? 'anonymous' };
  }

  @Get('auth')
  @UseGuards(AuthGuard('jwt'))
  auth(@Req() request: { user?: { sub: string } }): { sub: string } {
    return { sub: request.user?.sub ?? 'anonymous' };
  }
}

/** The comparator app, run in its own process (passport strategies are named process-wide). */
@Module({})
export class RecipeBenchModule {
  static register(settings: RecipeBenchSettings): DynamicModule {
    return {
      module: RecipeBenchModule,
      imports: [PassportModule],
      providers: [{ provide: RECIPE_SETTINGS, useValue: settings }, RecipeJwtStrategy],
      controllers: [RecipeBenchController],
    };
  }
}
