import { Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthConfig } from '../auth-config';
import { IssuingConfig } from './issuing-config';
import { OAuthError } from './oauth.errors';

/** Who is calling the token or revocation endpoint. */
export interface ClientIdentity {
  /** The `client_id` the request names (authenticated or not); undefined when it names none. */
  readonly clientId?: string;
  /** True when the client proved its secret (a confidential client, RFC 6749 §2.3.1). */
  readonly authenticated: boolean;
}

/**
 * Client authentication at the token and revocation endpoints (RFC 6749 §2.3.1, RT5): HTTP Basic
 * or `client_secret` in the body, for the clients of `issuing.clients`. A confidential client must
 * authenticate; a wrong secret, an unknown client with a secret, or another scheme is 401
 * `invalid_client` with `WWW-Authenticate: Basic`. Override to plug in your own client registry.
 */
@Injectable()
export class ClientAuthenticator {
  constructor(
    @Inject(IssuingConfig) private readonly config: IssuingConfig,
    private readonly authConfig: AuthConfig,
  ) {}

  /** @throws OAuthError `invalid_client` (401) or `invalid_request` (400). */
  identify(
    authorization: string | string[] | undefined,
    params: Map<string, string>,
  ): ClientIdentity {
    if (Array.isArray(authorization))
      throw OAuthError.invalidRequest('one Authorization header only');
    const bodyId = params.get('client_id');
    const bodySecret = params.get('client_secret');
    if (authorization !== undefined) {
      if (bodySecret !== undefined)
        throw OAuthError.invalidRequest('use one client authentication method');
      const basic = parseBasic(authorization);
      if (!basic) throw this.invalidClient();
      if (bodyId !== undefined && bodyId !== basic.id)
        throw OAuthError.invalidRequest('client_id differs');
      return this.verify(basic.id, basic.secret);
    }
    if (bodySecret !== undefined) {
      if (bodyId === undefined) throw this.invalidClient();
      return this.verify(bodyId, bodySecret);
    }
    // A confidential client must authenticate (RFC 6749 §3.2.1).
    if (bodyId !== undefined && this.config.clients.has(bodyId)) throw this.invalidClient();
    return { clientId: bodyId, authenticated: false };
  }

  /** True when tokens of this client may only be used by the authenticated client. */
  isConfidential(clientId: string): boolean {
    return this.config.clients.has(clientId);
  }

  /** The error of RT5, with the module's realm. */
  invalidClient(): OAuthError {
    return OAuthError.invalidClient(this.authConfig.realm);
  }

  private verify(clientId: string, secret: string): ClientIdentity {
    const client = this.config.clients.get(clientId);
    // Compare digests, so the comparison is constant-time whatever the lengths.
    const expected = digest(client?.clientSecret ?? '');
    const ok = timingSafeEqual(expected, digest(secret));
    if (!client || !ok) throw this.invalidClient();
    return { clientId, authenticated: true };
  }
}

/** RFC 7617 Basic credentials; id and secret are form-urlencoded first (RFC 6749 §2.3.1). */
function parseBasic(header: string): { id: string; secret: string } | undefined {
  const match = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  try {
    const id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
    const secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    return { id, secret };
  } catch {
    return undefined;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
