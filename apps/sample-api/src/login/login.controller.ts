import {
  BadRequestException,
  Body,
  Controller,
  Header,
  HttpCode,
  Post,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Public, TokenService } from '@app/auth';
import type { TokenResponse } from '@app/auth';
import { SAMPLE_CLIENT_ID } from '../sample.constants';
import { DemoUsersService } from './demo-users.service';
import { LoginDto, TokenResponseDto } from './login.dto';

/** The one message for every failed login: it never says which part was wrong. */
export const LOGIN_FAILED = 'Invalid username or password';

/**
 * `POST /auth/login` for the demo users: checks the password and starts a session through the
 * module's `TokenService`, answering like the token endpoint. Rate-limited per client address
 * (`LOGIN_RATE_LIMIT` per minute); only this route is.
 */
@ApiTags('auth')
@Controller('auth')
export class LoginController {
  constructor(
    private readonly users: DemoUsersService,
    private readonly tokens: TokenService,
  ) {}

  @Post('login')
  @Public()
  @UseGuards(ThrottlerGuard)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  @ApiOperation({
    summary: 'Log in as a demo user',
    description: 'Returns an access token and a refresh token, like POST /auth/token.',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiResponse({ status: 401, description: LOGIN_FAILED })
  @ApiResponse({ status: 429, description: 'Too many logins from this address; see Retry-After' })
  async login(@Body() body: LoginDto): Promise<TokenResponse> {
    const { username, password } = credentialsOf(body);
    const user = await this.users.verify(username, password);
    if (!user) throw new UnauthorizedException(LOGIN_FAILED);
    return this.tokens.issue(user.username, {
      scope: user.scopes,
      clientId: SAMPLE_CLIENT_ID,
      claims: {
        name: user.name,
        ...(user.groups.length > 0 ? { groups: [...user.groups] } : {}),
      },
    });
  }
}

function credentialsOf(body: unknown): { username: string; password: string } {
  const { username, password } = (body ?? {}) as Record<string, unknown>;
  const usable = (value: unknown) =>
    typeof value === 'string' && value.length > 0 && value.length <= 1024;
  if (!usable(username) || !usable(password)) {
    throw new BadRequestException('Send JSON {"username": "…", "password": "…"}');
  }
  return { username: username as string, password: password as string };
}
