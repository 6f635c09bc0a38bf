import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

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
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(kid));
  const body = Buffer.concat([cipher.update(pem, 'utf8'), cipher.final()]);
  return { sealed: Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url') };
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
  const raw = Buffer.from(stored.sealed, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(kid));
  decipher.setAuthTag(raw.subarray(12, 28));
  try {
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('signing key does not decrypt: signingKeyEncryptionKey differs');
  }
}
