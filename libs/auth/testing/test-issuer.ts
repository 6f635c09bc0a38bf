import { entraClaims, type EntraTokenOptions } from './entra';
import { JwksServer, type JwksFault } from './jwks-server';
import { generateEcKey, generateRsaKey, type TestKey } from './raw-jwt';
import { mintJwt, type MintOptions } from './token-minter';

/** Options of {@link TestIssuer.start}. */
export interface TestIssuerOptions {
  /** `iss` of minted tokens and of the discovery document. Default `'https://issuer.test/'`. */
  issuer?: string;
  /** `aud` of minted tokens. Default `'api://test-api'`. */
  audience?: string;
  /** RSA-2048 RS256 keys to generate and publish, kids `k1`, `k2`, …. Default 2. */
  keyCount?: number;
  /** Path of the JWKS on the local server. Default `'/.well-known/jwks.json'`. */
  path?: string;
}

/** Options of {@link TestIssuer.addKey}. */
export interface AddKeyOptions {
  /** Default: the next free `k<n>`. */
  kid?: string;
  /** Default `'RS256'`. `ES256` makes a P-256 key; `PS256` an RSA key published for PS256. */
  alg?: TestKey['alg'];
  /** RSA key size. Default 2048. */
  modulusLength?: number;
  /** Put it in the served JWKS. Default true. */
  publish?: boolean;
}

/**
 * A local token issuer for tests: signing keys, a real JWKS (and OIDC discovery) HTTP server on
 * `127.0.0.1`, and token minting. Always `await issuer.stop()` (e.g. in `afterAll`).
 *
 * @example
 * const issuer = await TestIssuer.start();
 * Test.createTestingModule({ imports: [AuthModule.forRoot(issuer.authOptions())] });
 * request(app).get('/probe').set('Authorization', `Bearer ${issuer.mint({ scp: 'Data.Read' })}`);
 */
export class TestIssuer {
  /** `iss` of minted tokens. */
  readonly issuer: string;
  /** `aud` of minted tokens. */
  readonly audience: string;
  private readonly path: string;
  private readonly allKeys = new Map<string, TestKey>();
  private readonly published = new Set<string>();
  private extraJwks: object[] = [];
  private keyIssuer: string | undefined;
  private server!: JwksServer;

  private constructor(options: TestIssuerOptions) {
    this.issuer = options.issuer ?? 'https://issuer.test/';
    this.audience = options.audience ?? 'api://test-api';
    this.path = options.path ?? '/.well-known/jwks.json';
  }

  /** Generates the keys and starts the JWKS server on an ephemeral port. */
  static async start(options: TestIssuerOptions = {}): Promise<TestIssuer> {
    const issuer = new TestIssuer(options);
    for (let i = 1; i <= (options.keyCount ?? 2); i++) issuer.addKey({ kid: `k${i}` });
    issuer.server = await JwksServer.start({
      path: issuer.path,
      jwks: () => issuer.jwksJson(),
      discovery: () => JSON.stringify({ issuer: issuer.issuer, jwks_uri: issuer.jwksUri }),
    });
    return issuer;
  }

  /** `http://127.0.0.1:<port><path>`. */
  get jwksUri(): string {
    return `${this.server.origin}${this.path}`;
  }

  /** Base URL whose `/.well-known/openid-configuration` is served: `http://127.0.0.1:<port>`. */
  get authority(): string {
    return this.server.origin;
  }

  /** The published keys, in the order they were added (a copy). */
  get keys(): TestKey[] {
    return [...this.published].map((kid) => this.key(kid));
  }

  /**
   * A key by kid, published or not (removed keys stay usable for signing).
   *
   * @throws Error for an unknown kid.
   */
  key(kid: string): TestKey {
    const key = this.allKeys.get(kid);
    if (!key) throw new Error(`TestIssuer: unknown kid "${kid}"`);
    return key;
  }

  /** `{ issuer, audience, jwksUri }`, ready for `AuthModule.forRoot`. */
  authOptions(): { issuer: string; audience: string; jwksUri: string } {
    return { issuer: this.issuer, audience: this.audience, jwksUri: this.jwksUri };
  }

  /**
   * Requests received on any path except discovery (a wrong path still counts, and gets 404),
   * counted on arrival, whatever the fault.
   */
  get fetchCount(): number {
    return this.server.fetchCount;
  }

  /** Requests for `/.well-known/openid-configuration`. */
  get discoveryCount(): number {
    return this.server.discoveryCount;
  }

  /** Sets `fetchCount` and `discoveryCount` to zero. */
  resetFetchCount(): void {
    this.server.resetFetchCount();
  }

  /** Generates a key (RSA-2048 RS256 unless told) and publishes it unless `publish: false`. */
  addKey(options: AddKeyOptions = {}): TestKey {
    const kid = options.kid ?? this.nextKid();
    if (this.allKeys.has(kid)) throw new Error(`TestIssuer: kid "${kid}" already exists`);
    const alg = options.alg ?? 'RS256';
    const key =
      alg === 'ES256' ? generateEcKey(kid) : generateRsaKey(kid, options.modulusLength, alg);
    this.allKeys.set(kid, key);
    this.applyKeyIssuer(key);
    if (options.publish ?? true) this.published.add(kid);
    return key;
  }

  /** Unpublishes a key; `key(kid)` and `mint(…, { kid })` still sign with it. */
  removeKey(kid: string): void {
    this.key(kid);
    this.published.delete(kid);
  }

  /**
   * Adds `issuer` to every JWK (`undefined` removes it), as Entra's multi-tenant keys carry
   * `issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0'`.
   */
  setKeyIssuer(issuer: string | undefined): void {
    this.keyIssuer = issuer;
    for (const key of this.allKeys.values()) this.applyKeyIssuer(key);
  }

  /** Raw entries appended to the served `keys` array (e.g. `kty: 'oct'`, `use: 'enc'`, tiny RSA). */
  setExtraJwks(entries: object[]): void {
    this.extraJwks = [...entries];
  }

  /** How the JWKS endpoint misbehaves from now on; `'none'` restores it. */
  setFault(fault: JwksFault): void {
    this.server.setFault(fault);
  }

  /** How the discovery endpoint misbehaves from now on; `'none'` restores it. */
  setDiscoveryFault(fault: JwksFault): void {
    this.server.setDiscoveryFault(fault);
  }

  /** `Location` of the `redirect` fault, e.g. another `TestIssuer`'s `jwksUri` as a canary. */
  setRedirectTarget(url: string): void {
    this.server.setRedirectTarget(url);
  }

  /** Delay in ms before every JWKS answer (the fault, if any, follows the delay). 0 turns it off. */
  setDelay(ms: number): void {
    this.server.setDelay(ms);
  }

  /** The exact JWKS text served right now (for key-confusion HMAC keys). */
  jwksJson(): string {
    const keys = this.keys.map((key) => key.publicJwk);
    return JSON.stringify({ keys: [...keys, ...this.extraJwks] });
  }

  /**
   * Mints a valid token signed with `k1` (or `options.kid`). Defaults: header
   * `{ alg, typ: 'JWT', kid }`; payload `iss`, `aud`, `sub: 'user-1'`, `iat` and `nbf` now − 60,
   * `exp` now + 3600, random `jti`; no `scp` unless given. `claims` are merged over the defaults and
   * a claim set to `undefined` is removed. With `signWith`, the kid need not exist.
   *
   * @throws Error for an unknown kid without `signWith`.
   */
  mint(claims: Record<string, unknown> = {}, options: MintOptions = {}): string {
    const kid = options.kid ?? 'k1';
    const key = options.signWith && !this.allKeys.has(kid) ? undefined : this.key(kid);
    return mintJwt({
      ...options,
      kid,
      key,
      defaults: { iss: this.issuer, aud: this.audience },
      claims,
    });
  }

  /**
   * Mints a token shaped like an Entra v2 (default) or v1 access token for `tenantId`: v2
   * `iss` `https://login.microsoftonline.com/<tid>/v2.0` and `aud` = `clientId`; v1 `iss`
   * `https://sts.windows.net/<tid>/` and `aud` = `api://<clientId>`. See `entraClaims`.
   */
  mintEntra(options: EntraTokenOptions): string {
    return this.mint(entraClaims(options), { kid: options.kid, now: options.now });
  }

  /** Closes the server and destroys every socket (hung ones too). Idempotent. */
  async stop(): Promise<void> {
    await this.server.stop();
  }

  private applyKeyIssuer(key: TestKey): void {
    const { issuer: _old, ...jwk } = key.publicJwk;
    key.publicJwk = this.keyIssuer === undefined ? jwk : { ...jwk, issuer: this.keyIssuer };
  }

  private nextKid(): string {
    let n = this.allKeys.size + 1;
    while (this.allKeys.has(`k${n}`)) n++;
    return `k${n}`;
  }
}
