import type { Limit, MakeLimit } from '../limits/limits.js';
import type { EventBudgets } from './bindHandlers.js';

/** Who is on a connection, for the budgets and caps that follow a person rather than a socket. */
export type Caller = { kind: 'visitor'; visitorId: string; address: string } | { kind: 'staff'; userId: number };

export interface EventLimitSettings {
  perConnection: number;
  perVisitor: number;
  perStaff: number;
  perAddress: number;
}

export interface EventLimits {
  /** The budgets of one connection of `caller`. */
  budgets(caller: Caller): EventBudgets;
}

/**
 * Event budgets per 10 s: each connection has its own (in memory), and every connection of the
 * same visitor, staff member or (for visitors) address shares one more, in Redis on a cluster, so
 * opening more tabs or sockets, on any node, buys no more events. Staff are not counted by address:
 * they are signed in, and a support office behind one NAT must not starve its own agents.
 */
export function createEventLimits(makeLimit: MakeLimit, settings: EventLimitSettings): EventLimits {
  const make = (name: string, points: number): Limit => makeLimit({ name, points, durationSeconds: 10, blockInMemory: true });
  const visitor = make('events:visitor', settings.perVisitor);
  const staff = make('events:staff', settings.perStaff);
  const address = make('events:address', settings.perAddress);
  return {
    budgets: (caller) => ({
      perConnection: settings.perConnection,
      shared:
        caller.kind === 'visitor'
          ? [
              { limit: visitor, key: caller.visitorId },
              { limit: address, key: caller.address },
            ]
          : [{ limit: staff, key: String(caller.userId) }],
    }),
  };
}
