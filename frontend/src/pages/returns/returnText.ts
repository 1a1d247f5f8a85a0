import type { components } from '../../api/schema.gen';

type S = components['schemas'];
export type ReturnStatus = S['Return']['status'];
export type ReturnReason = S['ReturnLine']['reason'];

export const returnStatuses: ReturnStatus[] = ['requested', 'approved', 'rejected', 'received', 'refunded', 'replaced'];
export const returnReasons: ReturnReason[] = ['damaged', 'wrong_item', 'not_as_described', 'no_longer_needed', 'other'];

/** The return status badge's colour, for staff and portal alike. */
export const returnColor: Record<ReturnStatus, string> = {
  requested: 'blue', approved: 'cyan', rejected: 'red', received: 'violet', refunded: 'green', replaced: 'teal',
};

type Dated = Pick<S['CustomerReturn'], 'status' | 'created_at' | 'approved_at' | 'rejected_at' | 'received_at' | 'refunded_at' | 'replaced_at'>;

export interface ReturnStep {
  step: 'requested' | 'approved' | 'rejected' | 'received' | 'refunded' | 'replaced';
  at: string | null;
}

/**
 * returnTimeline is the steps a return goes through, each dated once
 * reached. A rejected return ends at its rejection and a replaced one at
 * its replacement; any other shows the road ahead (approved, received,
 * refunded) undated until it gets there.
 */
export function returnTimeline(r: Dated): ReturnStep[] {
  if (r.status === 'rejected') {
    return [
      { step: 'requested', at: r.created_at },
      { step: 'rejected', at: r.rejected_at ?? null },
    ];
  }
  return [
    { step: 'requested', at: r.created_at },
    { step: 'approved', at: r.approved_at ?? null },
    { step: 'received', at: r.received_at ?? null },
    r.status === 'replaced' ? { step: 'replaced', at: r.replaced_at ?? null } : { step: 'refunded', at: r.refunded_at ?? null },
  ];
}

type Returnable = Pick<S['ReturnableLine'], 'order_line_id' | 'returnable_qty'>;

/** returnableLines are the lines with units left to return, in the order's order. */
export function returnableLines<T extends Returnable>(lines: T[]): T[] {
  return lines.filter((l) => l.returnable_qty > 0);
}

export interface LineChoice {
  quantity: number;
  reason: ReturnReason | '';
  comment: string;
}

/**
 * requestLines turns the customer's choices (order line → quantity, reason,
 * comment) into the request's lines: lines left at 0 are not returned; a
 * chosen line needs a reason (returned as missing so the form can say so).
 */
export function requestLines(choices: Record<string, LineChoice>): { lines: { order_line_id: string; quantity: number; reason: ReturnReason; comment?: string }[]; missing: string[] } {
  const lines: { order_line_id: string; quantity: number; reason: ReturnReason; comment?: string }[] = [];
  const missing: string[] = [];
  for (const [id, c] of Object.entries(choices)) {
    if (!c.quantity || c.quantity <= 0) continue;
    if (!c.reason) {
      missing.push(id);
      continue;
    }
    const comment = c.comment.trim();
    lines.push({ order_line_id: id, quantity: c.quantity, reason: c.reason, ...(comment ? { comment } : {}) });
  }
  return { lines, missing };
}

export type Condition = 'restock' | 'quarantine';

/** LineReceipt is what staff enter for one line when the goods arrive. */
export interface LineReceipt {
  received: number;
  condition: Condition;
  warehouse_id: string | null;
}

/** A line as the receipt form needs it: its id and the units requested. */
type Receivable = Pick<S['ReturnLine'], 'id' | 'quantity'>;

/** defaultReceipt assumes every requested unit came back into stock: staff lower what is missing. */
export function defaultReceipt(l: Receivable): LineReceipt {
  return { received: l.quantity, condition: 'restock', warehouse_id: null };
}

export interface ReceiptLineBody {
  line_id: string;
  received_quantity: number;
  condition?: Condition;
  warehouse_id?: string;
}

/**
 * receiptBody turns the form into the receive request: every line with its
 * received units (0 up to the requested quantity), and a condition and
 * warehouse only for a line with units (they go nowhere otherwise).
 * noWarehouse lists the lines with units but no warehouse yet; over, the
 * lines above their requested quantity; nothing is true when no line has
 * any units (allowed, but the form says what it means first).
 */
export function receiptBody(lines: Receivable[], receipts: Record<string, LineReceipt>): { lines: ReceiptLineBody[]; noWarehouse: string[]; over: string[]; nothing: boolean } {
  const noWarehouse: string[] = [];
  const over: string[] = [];
  const out = lines.map((l): ReceiptLineBody => {
    const r = receipts[l.id] ?? defaultReceipt(l);
    const received = Number.isInteger(r.received) && r.received > 0 ? r.received : 0;
    if (received > l.quantity) over.push(l.id);
    if (received === 0) return { line_id: l.id, received_quantity: 0 };
    if (!r.warehouse_id) noWarehouse.push(l.id);
    return { line_id: l.id, received_quantity: received, condition: r.condition, ...(r.warehouse_id ? { warehouse_id: r.warehouse_id } : {}) };
  });
  return { lines: out, noWarehouse, over, nothing: out.every((l) => l.received_quantity === 0) };
}

/** A received line, staff's or the customer's view alike. */
type Counted = Pick<S['CustomerReturnLine'], 'quantity' | 'received_quantity'>;

/** shortReceived reports a received line that brought back fewer units than were requested. */
export function shortReceived(l: Counted): boolean {
  return l.received_quantity != null && l.received_quantity < l.quantity;
}

/** creditNotesOf lists a refunded return's credit notes, one per invoice its units were on (the detail's list, else the first). */
export function creditNotesOf(r: { credit_note_id?: string | null; credit_note_ids?: string[] }): string[] {
  if (r.credit_note_ids && r.credit_note_ids.length > 0) return r.credit_note_ids;
  return r.credit_note_id ? [r.credit_note_id] : [];
}
