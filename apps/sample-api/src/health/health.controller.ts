import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@app/auth';

/** `GET /health`: public, for load balancers and the curious. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  @Get()
  @Public()
  @ApiOperation({ summary: 'Liveness' })
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
