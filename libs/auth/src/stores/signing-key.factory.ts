import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import type { PublicSigningJwk, SigningAlgorithm, SigningKey } from './signing-key-source';

const generate = promisify(generateKeyPair);

/** Generates a fresh key off the event loop: RSA-2048 for RS256, P-256 for ES256. */
export async function generateSigningKey(alg: SigningAlgorithm): Promise<SigningKey> {
  const { privateKey } =
    alg === 'ES256'
      ? await generate('ec', { namedCurve: 'P-256' })
      : await generate('rsa', { modulusLength: 2048 });
  return signingKeyFrom(privateKey);
}

/**
 * Parses a PEM private key once (RSA ≥ 2048 bits → RS256, EC P-256 → ES256).
 * @throws TypeError naming `field` when the key is unusable; never echoes the key.
 */
export function signingKeyFromPem(pem: string, field: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new TypeError(
      `AuthModule: invalid option \`${field}\`: give a readable PEM private key.`,
    );
  }
  try {
    return signingKeyFrom(privateKey);
  } catch (error) {
    const why = error instanceof Error ? error.message : 'unsupported key';
    throw new TypeError(`AuthModule: invalid option \`${field}\`: ${why}.`, { cause: error });
  }
}

/** Builds the key with its public JWK and RFC 7638 `kid` (RT22). */
export function signingKeyFrom(privateKey: KeyObject): SigningKey {
  const publicKey = createPublicKey(privateKey);
  const exported = publicKey.export({ format: 'jwk' }) as Record<string, string>;
  let alg: SigningAlgorithm;
  let members: Record<string, string>;
  if (privateKey.asymmetricKeyType === 'rsa') {
    const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) throw new Error('use an RSA key of at least 2048 bits');
    alg = 'RS256';
    members = { e: exported.e, kty: 'RSA', n: exported.n };
  } else if (privateKey.asymmetricKeyType === 'ec' && exported.crv === 'P-256') {
    alg = 'ES256';
    members = { crv: 'P-256', kty: 'EC', x: exported.x, y: exported.y };
  } else {
    throw new Error('use an RSA (RS256) or EC P-256 (ES256) key');
  }
  const kid = jwkThumbprint(members);
  const jwk = { ...members, kid, alg, use: 'sig' } as PublicSigningJwk;
  return Object.freeze({ kid, alg, privateKey, publicKey, jwk: Object.freeze(jwk) });
}

/**
 * RFC 7638 §3: SHA-256 over the JSON of the required members, in lexicographic order, with no
 * whitespace; base64url. `members` must hold exactly those members, already in order.
 */
export function jwkThumbprint(members: Record<string, string>): string {
  const ordered = Object.keys(members).sort();
  const json = `{${ordered.map((k) => `${JSON.stringify(k)}:${JSON.stringify(members[k])}`).join(',')}}`;
  return createHash('sha256').update(json).digest('base64url');
}
