import {
  BadRequestException,
  ConflictException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import type { CreatePaymentDto, Payment } from './payment';

/** The sample's payments, in memory: they start with two examples and die with the process. */
@Injectable()
export class PaymentsService {
  private readonly payments = new Map<string, Payment>();
  private next = 1;

  constructor() {
    this.add({ amount: 120.5, currency: 'EUR', payee: 'ACME Supplies' }, 'seed');
    this.add({ amount: 990, currency: 'USD', payee: 'Globex Travel' }, 'seed');
  }

  /** Every payment, oldest first. */
  list(): Payment[] {
    return [...this.payments.values()].map((p) => ({ ...p }));
  }

  /** @throws BadRequestException (400) when the body is not a valid payment. */
  create(body: unknown, createdBy: string): Payment {
    return { ...this.add(checked(body), createdBy) };
  }

  /**
   * @throws NotFoundException (404) for an unknown id.
   * @throws ConflictException (409) when the payment is already approved.
   */
  approve(id: string, approvedBy: string): Payment {
    const payment = this.payments.get(id);
    if (!payment) throw new NotFoundException(`No payment ${id}`);
    if (payment.status === 'approved')
      throw new ConflictException(`Payment ${id} is already approved`);
    payment.status = 'approved';
    payment.approvedBy = approvedBy;
    payment.approvedAt = new Date().toISOString();
    return { ...payment };
  }

  private add(body: CreatePaymentDto, createdBy: string): Payment {
    const payment: Payment = {
      id: `pay_${this.next++}`,
      amount: body.amount,
      currency: body.currency,
      payee: body.payee,
      status: 'pending',
      createdBy,
      createdAt: new Date().toISOString(),
    };
    this.payments.set(payment.id, payment);
    return payment;
  }
}

function checked(body: unknown): CreatePaymentDto {
  const { amount, currency, payee } = (body ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (
    typeof amount !== 'number' ||
    !Number.isFinite(amount) ||
    amount <= 0 ||
    amount > 1e9 ||
    Math.round(amount * 100) / 100 !== amount
  ) {
    problems.push('amount must be a positive number with at most 2 decimals');
  }
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) {
    problems.push('currency must be an ISO 4217 code such as EUR');
  }
  if (typeof payee !== 'string' || payee.trim() === '' || payee.length > 100) {
    problems.push('payee must be a name of 1 to 100 characters');
  }
  if (problems.length > 0) throw new BadRequestException(problems);
  return {
    amount: amount as number,
    currency: currency as string,
    payee: (payee as string).trim(),
  };
}
