// TEMPORARY placeholder written by the lead so the module compiles; the issuing engineer replaces it.
import type { Provider, Type } from '@nestjs/common';
import { OWN_TOKEN_PROVIDER } from '../auth.internal-constants';
import type { AuthModuleOptions } from '../auth.options';

export const ISSUING_PROVIDERS: Provider[] = [{ provide: OWN_TOKEN_PROVIDER, useValue: undefined }];
export const ISSUING_EXPORTS: never[] = [];
export function issuingControllers(_mounted: boolean, _options?: AuthModuleOptions): Type[] {
  return [];
}
