import { Body, Controller, DynamicModule, Header, HttpCode, Module, Post } from '@nestjs/common';
import { AuthModule, Public } from '@app/auth';

/** A token response's size: an RS256 access token, a refresh token and the other fields. */
const ANSWER = {
  access_token: 'a'.repeat(760),
  token_type: 'Bearer',
  expires_in: 900,
  refresh_token: 'r'.repeat(92),
  scope: 'Data.Read',
};

/**
 * The HTTP floor of a rotation: the same request (a small JSON body POSTed) and an answer of the
 * same size and headers as `POST /auth/token`'s, with nothing in between.
 */
@Controller('bench')
class FloorController {
  @Post('floor')
  @Public()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  floor(@Body() body: { refresh_token?: string }): typeof ANSWER {
    if (typeof body?.refresh_token !== 'string') throw new Error('no refresh_token');
    return ANSWER;
  }
}

/** Settings of the issuing bench app. */
export interface IssuingBenchSettings {
  /** Redis stores at this URL; in-memory stores when undefined. */
  redisUrl?: string;
  /** Prefix of every Redis key, so the run can remove exactly what it wrote. */
  keyPrefix: string;
}

/**
 * An app that issues its own tokens (DESIGN R1–R7) through `@app/auth`: `POST /auth/token`
 * rotates refresh tokens on the in-memory stores, or on Redis with `stores.redis`.
 */
@Module({})
export class IssuingBenchModule {
  static register(settings: IssuingBenchSettings): DynamicModule {
    return {
      module: IssuingBenchModule,
      imports: [
        AuthModule.forRoot({
          issuing: { issuer: 'https://bench.test', audience: 'api://bench' },
          stores: settings.redisUrl
            ? { redis: { url: settings.redisUrl, keyPrefix: settings.keyPrefix } }
            : undefined,
        }),
      ],
      controllers: [FloorController],
    };
  }
}
