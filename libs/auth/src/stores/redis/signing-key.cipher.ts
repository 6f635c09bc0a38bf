import { openText, sealText } from '../../crypto/sealed-text';

/**
 * Private signing keys at rest in Redis: AES-256-GCM under `stores.redis.signingKeyEncryptionKey`,
 * the `kid` as additional data (a sealed key cannot be moved to another entry). Without an
 * encryption key the PEM is stored as it is.
 */
export interface StoredPrivateKey {
  /** PKCS#8 PEM, when stored unencrypted. */
  readonly pem?: string;
  /** base64url(iv ‖ tag ‖ ciphertext), when encrypted. */
  readonly sealed?: string;
}

/** Seals (or keeps) a PKCS#8 PEM for storage. */
export function storePrivateKey(pem: string, kid: string, key?: Buffer): StoredPrivateKey {
  if (!key) return { pem };
  return { sealed: sealText(key, kid, pem) };
}

/**
 * The PEM back from storage.
 * @throws Error when the entry is sealed and the key is missing or wrong, or it is plain while an
 *   encryption key is configured (a misconfigured instance must not sign with what it cannot trust).
 */
export function loadPrivateKey(stored: StoredPrivateKey, kid: string, key?: Buffer): string {
  if (stored.sealed === undefined) {
    if (key || typeof stored.pem !== 'string') {
      throw new Error('signing key is stored unencrypted but an encryption key is configured');
    }
    return stored.pem;
  }
  if (!key) throw new Error('signing key is encrypted: configure signingKeyEncryptionKey');
  const pem = openText(key, kid, stored.sealed);
  if (pem === undefined) {
    throw new Error('signing key does not decrypt: signingKeyEncryptionKey differs');
  }
  return pem;
}
