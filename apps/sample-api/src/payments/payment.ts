import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** A payment of the sample. */
export class Payment {
  @ApiProperty({ example: 'pay_1' })
  id!: string;
  @ApiProperty({ example: 120.5, description: 'Amount in the currency, at most 2 decimals' })
  amount!: number;
  @ApiProperty({ example: 'EUR', description: 'ISO 4217 code' })
  currency!: string;
  @ApiProperty({ example: 'ACME Supplies' })
  payee!: string;
  @ApiProperty({ enum: ['pending', 'approved'] })
  status!: 'pending' | 'approved';
  @ApiProperty({ description: 'Subject (`sub`) of who created it' })
  createdBy!: string;
  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' })
  createdAt!: string;
  @ApiPropertyOptional({ description: 'Subject of who approved it' })
  approvedBy?: string;
  @ApiPropertyOptional()
  approvedAt?: string;
}

/** The body of `POST /payments`. */
export class CreatePaymentDto {
  @ApiProperty({ example: 120.5 })
  amount!: number;
  @ApiProperty({ example: 'EUR' })
  currency!: string;
  @ApiProperty({ example: 'ACME Supplies' })
  payee!: string;
}
