import type { Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { readSettings, type SampleSettings, type SettingReader } from './sample-settings';

/** Injection token of the checked `SampleSettings`. */
export const SAMPLE_SETTINGS = Symbol('SAMPLE_SETTINGS');

/** Reads settings through `ConfigService` (environment, and `.env` when present). */
export function configReader(config: ConfigService): SettingReader {
  return (name) => config.get<string>(name);
}

/** Provides `SampleSettings`, read once from `ConfigService` at start-up. */
export const SETTINGS_PROVIDER: Provider<SampleSettings> = {
  provide: SAMPLE_SETTINGS,
  useFactory: (config: ConfigService) => readSettings(configReader(config)),
  inject: [ConfigService],
};
