import { Inject, Injectable } from '@nestjs/common';
import { sign as signAsync, verify } from 'node:crypto';
import { promisify } from 'node:util';
import { Clock } from '../clock';
import { RevocationStore } from '../revocation/revocation.store';
import { SigningKey, SigningKeySource } from '../stores/signing-key-source';
import { IssuingConfig } from './issuing-config';
import { randomId } from './refresh-token.codec';

const sign = promisify(signAsync);

/** RFC 9068 §2.2 claims and the ones this module sets; `claims` given by the app cannot replace them. */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'client_id',
  'scope',
  'sid',
  'cnf',
  'typ',
]);

/** What one access token is minted for. */
export interface AccessTokenRequest {
  readonly subject: string;
  readonly clientId: string;
  /** Space-separated scope. */
  readonly scope: string;
  /** `sid`: the refresh family. */
  readonly sessionId: string;
  /** Extra claims; reserved names are never taken from here. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** A minted access token. */
export interface MintedAccessToken {
  readonly token: string;
  readonly tokenId: string;
  /** `exp`, epoch seconds. */
  readonly expiresAt: number;
  /** `expires_in` of the token response, seconds. */
  readonly expiresIn: number;
}

/** Claims of one of this API's own access tokens, after its signature was checked. */
export interface VerifiedOwnAccessToken {
  readonly tokenId: string;
  readonly subject: string;
  readonly clientId?: string;
  readonly sessionId?: string;
  readonly expiresAt: number;
}

/**
 * Mints RFC 9068 access tokens (DESIGN R3; RT7, RT22): header `{alg, typ: "at+jwt", kid}`, claims
 * `iss sub aud exp iat jti client_id scope sid`. Signs with `node:crypto` and the active key's
 * cached `KeyObject`, on libuv's thread pool so the event loop stays free — measured faster than
 * jose's `SignJWT` for the same key.
 */
@Injectable()
export class AccessTokenService {
  /** The encoded header of each key, built once. */
  private readonly headers = new WeakMap<SigningKey, string>();

  constructor(
    @Inject(IssuingConfig) private readonly config: IssuingConfig,
    private readonly keys: SigningKeySource,
    private readonly clock: Clock,
    private readonly revocations: RevocationStore,
  ) {}

  /** Signs one access token. @throws TemporarilyUnavailableError when no key can sign. */
  async mint(request: AccessTokenRequest): Promise<MintedAccessToken> {
    const key = await this.keys.activeKey();
    // After a logout-all in this very second, start at the second it no longer refuses (K2).
    const now = this.clock.nowSeconds();
    const iat = Math.max(now, this.revocations.subjectRevokedBefore(request.subject, now) ?? 0);
    const exp = iat + this.config.accessTokenTtl;
    const tokenId = randomId();
    const payload: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(request.claims ?? {})) {
      if (!RESERVED_CLAIMS.has(name)) payload[name] = value;
    }
    Object.assign(payload, {
      iss: this.config.issuer,
      sub: request.subject,
      aud: this.config.audience,
      exp,
      iat,
      jti: tokenId,
      client_id: request.clientId,
      scope: request.scope,
      sid: request.sessionId,
    });
    const input = `${this.header(key)}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    const signature = await sign(
      'sha256',
      Buffer.from(input),
      key.alg === 'ES256' ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' } : key.privateKey,
    );
    return {
      token: `${input}.${signature.toString('base64url')}`,
      tokenId,
      expiresAt: exp,
      expiresIn: this.config.accessTokenTtl,
    };
  }

  /**
   * Checks that `token` is one of this API's own access tokens, signed by a published key and not
   * expired beyond the clock tolerance; returns its claims, else undefined. Used by `/revoke`
   * (RT19) so that only a real token's `jti` is ever revoked; requests are authenticated by the
   * validation strategy, never by this.
   */
  async verifyOwn(token: string): Promise<VerifiedOwnAccessToken | undefined> {
    const parts = token.split('.');
    if (parts.length !== 3 || token.length > 8192) return undefined;
    const header = decodeJson(parts[0]);
    const payload = decodeJson(parts[1]);
    if (!header || !payload || typeof header.kid !== 'string') return undefined;
    if (typeof header.typ !== 'string' || header.typ.toLowerCase() !== 'at+jwt') return undefined;
    const key = (await this.keys.publishedKeys()).find((k) => k.kid === header.kid);
    if (!key || header.alg !== key.alg) return undefined;
    const ok = verify(
      'sha256',
      Buffer.from(`${parts[0]}.${parts[1]}`),
      key.alg === 'ES256' ? { key: key.publicKey, dsaEncoding: 'ieee-p1363' } : key.publicKey,
      Buffer.from(parts[2], 'base64url'),
    );
    if (!ok || payload.iss !== this.config.issuer) return undefined;
    const { jti, sub, exp, client_id: clientId, sid } = payload;
    if (typeof jti !== 'string' || typeof sub !== 'string' || typeof exp !== 'number')
      return undefined;
    if (exp + this.config.clockTolerance <= this.clock.nowSeconds()) return undefined;
    return {
      tokenId: jti,
      subject: sub,
      clientId: typeof clientId === 'string' ? clientId : undefined,
      sessionId: typeof sid === 'string' ? sid : undefined,
      expiresAt: exp,
    };
  }

  private header(key: SigningKey): string {
    let header = this.headers.get(key);
    if (!header) {
      const json = JSON.stringify({ alg: key.alg, typ: 'at+jwt', kid: key.kid });
      header = Buffer.from(json).toString('base64url');
      this.headers.set(key, header);
    }
    return header;
  }
}

function decodeJson(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
