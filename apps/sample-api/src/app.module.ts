import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { ThrottlerModule } from '@nestjs/throttler';
import { AuthModule } from '@app/auth';
import { HealthController } from './health/health.controller';
import { DemoUsersService } from './login/demo-users.service';
import { LoginController } from './login/login.controller';
import { MeController } from './me/me.controller';
import { PaymentsController } from './payments/payments.controller';
import { PaymentsService } from './payments/payments.service';
import { authOptionsFor } from './settings/auth-options';
import { readSettings } from './settings/sample-settings';
import { configReader, SETTINGS_PROVIDER } from './settings/settings.provider';

/**
 * The payments sample. Everything comes from the environment through `ConfigService` (and a
 * `.env` file when there is one); with nothing set it runs alone: its own signing keys,
 * in-memory stores, demo users. See `settings/sample-settings.ts` for every setting.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    AuthModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => authOptionsFor(readSettings(configReader(config))),
      isGlobal: true,
      mountTokenEndpoints: true,
    }),
    ThrottlerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        // Applied to POST /auth/login only (its @UseGuards(ThrottlerGuard)), per client address.
        throttlers: [{ ttl: 60_000, limit: readSettings(configReader(config)).loginRateLimit }],
      }),
    }),
  ],
  controllers: [HealthController, LoginController, MeController, PaymentsController],
  providers: [SETTINGS_PROVIDER, DemoUsersService, PaymentsService],
})
export class AppModule {}
