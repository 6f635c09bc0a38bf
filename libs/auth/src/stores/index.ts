export { RefreshTokenStore } from './refresh-token.store';
export type {
  CreateFamilyInput,
  CreateFamilyResult,
  NewRefreshToken,
  RefreshFamily,
  RotateInput,
  RotateInvalidReason,
  RotateResult,
  StoredRefreshToken,
} from './refresh-token.store';
export { InMemoryRefreshTokenStore } from './in-memory-refresh-token.store';
export { SigningKeySource, publicMembersOnly } from './signing-key-source';
export type {
  PublicJwks,
  PublicSigningJwk,
  SigningAlgorithm,
  SigningKey,
  SigningKeyState,
  SigningKeyStatus,
} from './signing-key-source';
export { InMemorySigningKeySource } from './in-memory-signing-key-source';
export { PemSigningKeySource, SIGNING_KEY_ENV } from './pem-signing-key-source';
export { jwkThumbprint, signingKeyFromPem } from './signing-key.factory';
