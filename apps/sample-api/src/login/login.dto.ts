import { ApiProperty } from '@nestjs/swagger';

/** The body of `POST /auth/login`. */
export class LoginDto {
  @ApiProperty({ example: 'alice', description: 'alice, bob or carol' })
  username!: string;

  @ApiProperty({ example: 'demo-password', description: 'DEMO_PASSWORD (default demo-password)' })
  password!: string;
}

/** What `POST /auth/login` answers: a token response (RFC 6749 §5.1). */
export class TokenResponseDto {
  @ApiProperty({ description: 'A JWT access token (RFC 9068)' })
  access_token!: string;
  @ApiProperty({ example: 'Bearer' })
  token_type!: string;
  @ApiProperty({ example: 900, description: 'Seconds until the access token expires' })
  expires_in!: number;
  @ApiProperty({ description: 'An opaque refresh token for POST /auth/token' })
  refresh_token!: string;
  @ApiProperty({ example: 'Payments.Read Payments.Write' })
  scope!: string;
}
