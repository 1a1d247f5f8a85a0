// Pure helpers for support tickets (C6, D4): colours, the SLA clock as a
// person reads it, and the queue's filters as an API query. Kept apart from
// the components so they are unit-tested.
import type { components } from '../../../api/schema.gen';

export type Ticket = components['schemas']['Ticket'];
export type TicketMessage = components['schemas']['TicketMessage'];
export type TicketSummary = components['schemas']['TicketSummary'];
export type TicketAssignee = components['schemas']['TicketAssignee'];
export type TicketStatus = Ticket['status'];
export type TicketPriority = Ticket['priority'];

export const ticketStatuses: TicketStatus[] = ['open', 'pending_customer', 'resolved', 'closed'];
/** Priorities, most urgent first (the order a queue reads them in). */
export const ticketPriorities: TicketPriority[] = ['urgent', 'high', 'normal', 'low'];

export const ticketStatusColor: Record<TicketStatus, string> = {
  open: 'blue',
  pending_customer: 'yellow',
  resolved: 'green',
  closed: 'gray',
};

export const ticketPriorityColor: Record<TicketPriority, string> = {
  urgent: 'red',
  high: 'orange',
  normal: 'blue',
  low: 'gray',
};

/** What the SLA clock says of a ticket now. */
export type SLAState =
  | { kind: 'settled' } // resolved or closed: the clock stopped
  | { kind: 'breached'; minutes: number } // past due by minutes
  | { kind: 'soon'; minutes: number } // due within the hour
  | { kind: 'due'; minutes: number }; // due in minutes

/**
 * slaState reads a ticket's due time against now. The server's breached
 * flag wins over the browser's clock, which may be off: a ticket the
 * server calls breached is never shown as due.
 */
export function slaState(t: Pick<Ticket, 'status' | 'sla_due_at' | 'breached'>, now: Date): SLAState {
  if (t.status === 'resolved' || t.status === 'closed') return { kind: 'settled' };
  const minutes = Math.round((new Date(t.sla_due_at).getTime() - now.getTime()) / 60000);
  if (t.breached || minutes < 0) return { kind: 'breached', minutes: Math.max(0, -minutes) };
  return minutes <= 60 ? { kind: 'soon', minutes } : { kind: 'due', minutes };
}

/** duration writes minutes as "2 d 3 h", "3 h 20 min" or "45 min" (the same units read in English and Spanish). */
export function duration(minutes: number): string {
  const m = Math.max(0, Math.round(minutes));
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const min = m % 60;
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return min > 0 ? `${h} h ${min} min` : `${h} h`;
  return `${min} min`;
}

/** The staff queue's filters as the page holds them. */
export interface QueueFilters {
  view: 'active' | 'breached' | 'all' | TicketStatus;
  priority: TicketPriority | null;
  /** me, none, or an assignee's user id. */
  assignee: string | null;
  q: string;
  accountId?: string;
}

/**
 * queueQuery is GET /api/v1/tickets's query for the filters: "active" is
 * everything still with the team or the customer (open, pending_customer),
 * "breached" those of them past due.
 */
export function queueQuery(f: QueueFilters): Record<string, string> {
  const out: Record<string, string> = {};
  switch (f.view) {
    case 'active':
      out.status = 'open,pending_customer';
      break;
    case 'breached':
      out.breached = 'true';
      break;
    case 'all':
      break;
    default:
      out.status = f.view;
  }
  if (f.priority) out.priority = f.priority;
  if (f.assignee) out.assignee_id = f.assignee;
  if (f.q.trim()) out.q = f.q.trim();
  if (f.accountId) out.account_id = f.accountId;
  return out;
}

/** canReply reports whether a ticket still takes messages (a closed one does not). */
export function canReply(t: { status: TicketStatus }): boolean {
  return t.status !== 'closed';
}

/**
 * assigneeOptions is the assignee picker's choices: who the server lists as
 * able to handle tickets, by name (the email tells two namesakes apart).
 * A current assignee the list no longer holds (their role changed since)
 * stays shown by name so the picker never reads as unassigned.
 */
export function assigneeOptions(list: TicketAssignee[], current?: { id?: string | null; name?: string }): { value: string; label: string }[] {
  const names = new Map<string, number>();
  for (const a of list) names.set(a.name, (names.get(a.name) ?? 0) + 1);
  const out = list.map((a) => ({ value: a.id, label: !a.name ? a.email : (names.get(a.name) ?? 0) > 1 ? `${a.name} (${a.email})` : a.name }));
  if (current?.id && !list.some((a) => a.id === current.id)) out.unshift({ value: current.id, label: current.name || current.id });
  return out;
}
