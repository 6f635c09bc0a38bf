import {
  Controller,
  Get,
  Header,
  Inject,
  OnModuleInit,
  Optional,
  UseFilters,
} from '@nestjs/common';
import { Public } from '../authorization/public.decorator';
import { PublicJwks, SigningKeySource } from '../stores/signing-key-source';
import { assertIssuingConfigured } from './controller-guard';
import { discoveryDocument } from './discovery-document';
import { IssuingConfig } from './issuing-config';
import { ISSUING_DEFAULTS } from './issuing.options';
import { OAuthExceptionFilter } from './oauth-exception.filter';

const PUBLIC_CACHE = `public, max-age=${ISSUING_DEFAULTS.jwksMaxAge}`;

/**
 * DESIGN R2: `GET /.well-known/jwks.json` (public members only, RT25) and the discovery document
 * at `/.well-known/openid-configuration` and `/.well-known/oauth-authorization-server`. Public
 * routes, cacheable for 600 s — which is why a new key is published an hour before it signs (RT23).
 */
@Public()
@UseFilters(OAuthExceptionFilter)
@Controller('.well-known')
export class WellKnownController implements OnModuleInit {
  constructor(
    private readonly keys: SigningKeySource,
    @Optional() @Inject(IssuingConfig) private readonly config: IssuingConfig | null,
  ) {}

  onModuleInit(): void {
    assertIssuingConfigured(this.config);
  }

  /** The JWKS: pending, active and retired keys (RT25). */
  @Get('jwks.json')
  @Header('Cache-Control', PUBLIC_CACHE)
  jwks(): Promise<PublicJwks> {
    return this.keys.publicJwks();
  }

  /** OIDC discovery (`authority` + this path finds `jwks_uri`). */
  @Get('openid-configuration')
  @Header('Cache-Control', PUBLIC_CACHE)
  openidConfiguration(): Record<string, unknown> {
    return discoveryDocument(this.config!);
  }

  /** RFC 8414 §3: the same metadata at its own well-known path. */
  @Get('oauth-authorization-server')
  @Header('Cache-Control', PUBLIC_CACHE)
  authorizationServer(): Record<string, unknown> {
    return discoveryDocument(this.config!);
  }
}
