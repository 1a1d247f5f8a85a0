import { describe, expect, it } from 'vitest';
import { newTicketBody, orderProducts, waitingOnCustomer } from './portalTickets';

describe('a new portal ticket', () => {
  it('needs a subject and a message', () => {
    expect(newTicketBody({ subject: ' ', message: '', orderId: null, productId: null })).toEqual({ missing: ['subject', 'message'] });
    expect(newTicketBody({ subject: 'Late', message: ' ', orderId: null, productId: null })).toEqual({ missing: ['message'] });
  });
  it('sends only what the customer chose, trimmed', () => {
    expect(newTicketBody({ subject: ' Late ', message: ' Where is it? ', orderId: null, productId: null })).toEqual({
      body: { subject: 'Late', message: 'Where is it?' },
    });
    expect(newTicketBody({ subject: 'Scratched', message: 'Two chairs', orderId: 'O', productId: 'P' })).toEqual({
      body: { subject: 'Scratched', message: 'Two chairs', order_id: 'O', product_id: 'P' },
    });
  });
  it('offers each product of the order once', () => {
    const lines = [
      { product_id: 'A', description: 'CHAIR — Chair' },
      { product_id: 'B', description: 'DESK — Desk' },
      { product_id: 'A', description: 'CHAIR — Chair' },
    ];
    expect(orderProducts(lines)).toEqual([
      { value: 'A', label: 'CHAIR — Chair' },
      { value: 'B', label: 'DESK — Desk' },
    ]);
  });
  it('tells when the team waits on the customer', () => {
    expect(waitingOnCustomer({ status: 'pending_customer' })).toBe(true);
    expect(waitingOnCustomer({ status: 'open' })).toBe(false);
  });
});
