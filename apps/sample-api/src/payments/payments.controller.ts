import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles, Scopes } from '@app/auth';
import type { AuthUser } from '@app/auth';
import { APPROVER_ROLE, SCOPES } from '../sample.constants';
import { CreatePaymentDto, Payment } from './payment';
import { PaymentsService } from './payments.service';

/**
 * The payments API. Every route needs `Payments.Read` (the class requirement); creating adds
 * `Payments.Write`; approving adds the app role `Payments.Approver`, which members of the admin
 * group hold too (see `SampleClaimsMapper`). Requirements combine with AND (DESIGN A5).
 */
@ApiTags('payments')
@Controller('payments')
@Scopes(SCOPES.read)
export class PaymentsController {
  constructor(private readonly payments: PaymentsService) {}

  @Get()
  @ApiOperation({ summary: 'List payments' })
  @ApiResponse({ status: 200, type: [Payment] })
  list(): Payment[] {
    return this.payments.list();
  }

  @Post()
  @Scopes(SCOPES.write)
  @ApiOperation({ summary: 'Create a payment' })
  @ApiResponse({ status: 201, type: Payment })
  @ApiResponse({ status: 400, description: 'Not a valid payment' })
  create(@Body() body: CreatePaymentDto, @CurrentUser() user: AuthUser): Payment {
    return this.payments.create(body, user.subject);
  }

  @Post(':id/approve')
  @Roles(APPROVER_ROLE)
  @ApiOperation({
    summary: 'Approve a payment',
    description:
      'For holders of the app role Payments.Approver and for members of the admin group: the ' +
      "sample's ClaimsMapper grants the role to the group's members (as Entra's app roles " +
      'assigned to groups do).',
  })
  @ApiResponse({ status: 201, type: Payment })
  @ApiResponse({ status: 404, description: 'No such payment' })
  @ApiResponse({ status: 409, description: 'Already approved' })
  approve(@Param('id') id: string, @CurrentUser() user: AuthUser): Payment {
    return this.payments.approve(id, user.subject);
  }
}
