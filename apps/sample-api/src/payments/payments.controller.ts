import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AnyOf, CurrentUser, Scopes } from '@app/auth';
import type { AuthUser } from '@app/auth';
import { ADMIN_GROUP_ID, APPROVER_ROLE, SCOPES } from '../sample.constants';
import { CreatePaymentDto, Payment } from './payment';
import { PaymentsService } from './payments.service';

/**
 * The payments API. Every route needs `Payments.Read` (the class requirement); creating adds
 * `Payments.Write`; approving adds one `@AnyOf` requirement: the app role `Payments.Approver`
 * **or** membership of the admin group. Requirements combine with AND (DESIGN A5).
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
  @AnyOf({ roles: [APPROVER_ROLE], groups: [ADMIN_GROUP_ID] })
  @ApiOperation({
    summary: 'Approve a payment',
    description:
      'For holders of the app role Payments.Approver and for members of the admin group.',
  })
  @ApiResponse({ status: 201, type: Payment })
  @ApiResponse({ status: 404, description: 'No such payment' })
  @ApiResponse({ status: 409, description: 'Already approved' })
  approve(@Param('id') id: string, @CurrentUser() user: AuthUser): Payment {
    return this.payments.approve(id, user.subject);
  }
}
