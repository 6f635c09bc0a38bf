import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '@app/auth';

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
    };
  }
}
