import type { SlaState, TicketStatus } from '../../../shared/schemas/tickets.js';
import type { TicketModel } from './models.js';

const done = (s: TicketStatus) => s === 'solved' || s === 'closed';
const finished = (state: SlaState): SlaState => (state === 'none' ? 'none' : state === 'breached' ? 'breached' : 'met');

/**
 * The columns a status change touches: solving or closing stops the resolution clock (met, or
 * breached if it already was); reopening starts it again from the original due time.
 */
export function statusChanges(t: TicketModel, to: TicketStatus, at: Date): Partial<Pick<TicketModel, 'status' | 'solvedAt' | 'closedAt' | 'resolutionSla'>> {
  if (to === t.status) return {};
  if (to === 'solved') return { status: to, solvedAt: t.solvedAt ?? at, closedAt: null, resolutionSla: finished(t.resolutionSla) };
  if (to === 'closed') return { status: to, solvedAt: t.solvedAt ?? at, closedAt: at, resolutionSla: finished(t.resolutionSla) };
  if (done(t.status)) {
    return { status: to, solvedAt: null, closedAt: null, resolutionSla: t.resolutionDueAt ? (t.resolutionSla === 'breached' ? 'breached' : 'ok') : 'none' };
  }
  return { status: to };
}

/** The first public answer (a reply or the call back): the first-response target is met, or was breached. */
export function firstResponse(t: TicketModel, at: Date): Partial<Pick<TicketModel, 'firstRespondedAt' | 'firstResponseSla'>> {
  if (t.firstRespondedAt) return {};
  return { firstRespondedAt: at, firstResponseSla: finished(t.firstResponseSla) };
}
