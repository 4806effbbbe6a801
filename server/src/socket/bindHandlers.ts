import type { Socket } from 'socket.io';
import type { Ack } from '../../../shared/ack.js';
import type { EventContract, PayloadOut, ResultOf } from '../../../shared/contract.js';
import { Delivery, type HandlerContext, type Handlers } from '../features/handlers.js';
import { findUnsafeText } from '../../../shared/schemas/safeText.js';
import { UnavailableError, UnknownEventError, ValidationError } from '../errors/errors.js';
import { toErrorResponse } from '../errors/toErrorResponse.js';
import { rateLimited, type Limit } from '../limits/limits.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Inflight } from './inflight.js';

export type { HandlerContext, Handlers };

/** Event budgets of one connection. */
export interface EventBudgets {
  /** Events this connection may send per 10 s; counted in memory, before anything else. */
  perConnection: number;
  /**
   * Budgets shared by every connection of the same identity or address on every node (one point
   * per event), e.g. the visitor's and the address's. Checked after the connection's own.
   */
  shared: Array<{ limit: Limit; key: string }>;
}

export interface BindOptions<C extends EventContract, Ctx> {
  namespace: string;
  contract: C;
  handlers: Handlers<C, Ctx>;
  /** Read afresh for every event: a guard may update it (a changed role). */
  context: Ctx;
  log: Logger;
  metrics: Metrics;
  budgets: EventBudgets;
  inflight: Inflight;
  /** An event not answered within this time is answered UNAVAILABLE and the connection's queue moves on. */
  timeoutMs: number;
  /** Events wait for this (the connection's setup) before the first one is handled. */
  after?: Promise<unknown>;
  /** Runs before every handler: re-checks the caller's right to be here (throws to refuse). */
  guard?: () => Promise<void>;
}

type AnyAck = (response: Ack<unknown>) => void;

const WINDOW_MS = 10_000;
/** A connection that sends this many times its budget within one window is cut off. */
const FLOOD_FACTOR = 2;

/**
 * Wires a contract to a socket: every event is rate-limited, validated against its shared schema,
 * handled, and answered with exactly one ack. Unknown events and bad payloads get an error ack and
 * a log line; nothing a client sends can throw past this point.
 *
 * Cheap refusals: the connection's own budget is counted synchronously as events arrive, and a
 * connection that keeps sending at twice its budget is disconnected, so a flood costs little more
 * than the parsing Socket.IO has already done and cannot slow other people's events down.
 */
export function bindHandlers<C extends EventContract, Ctx>(socket: Socket, options: BindOptions<C, Ctx>): void {
  const { namespace, contract, handlers, metrics, budgets, inflight } = options;
  const log = options.log.child({ ns: namespace, socketId: socket.id });

  let windowStart = Date.now();
  let count = 0;
  let refusalsLogged = false;

  const run = async (event: string, args: unknown[], overBudget: number): Promise<void> => {
    const last = args[args.length - 1];
    const ack: AnyAck | null = typeof last === 'function' ? (last as AnyAck) : null;
    const params = ack ? args.slice(0, -1) : args;
    const deferred: Array<() => unknown> = [];
    const known = Object.hasOwn(contract, event);
    const label = known ? event : 'unknown';
    const refuse = (error: unknown) => {
      const { body } = toErrorResponse(error, log, { event: label });
      metrics.socketEvents.inc({ namespace, event: label, outcome: body.error.code });
      if (ack) ack(body);
    };
    if (overBudget > 0) {
      // Logged once per window, not per refused event: a flood must not turn into a log flood.
      metrics.limitRefusals.inc({ limit: 'events:connection' });
      metrics.socketEvents.inc({ namespace, event: label, outcome: 'RATE_LIMITED' });
      if (!refusalsLogged) {
        refusalsLogged = true;
        log.info({ event: label }, 'connection over its event budget');
      }
      if (ack) ack({ ok: false, error: rateLimited(overBudget).toBody() });
      return;
    }
    const handled = (async () => {
      await Promise.all(budgets.shared.map(({ limit, key }) => limit.consume(key)));
      if (!known) throw new UnknownEventError(event);
      if (params.length !== 1) {
        throw new ValidationError([{ path: '', message: `expected exactly one payload argument, got ${params.length}` }]);
      }
      const unsafe = findUnsafeText(params[0]);
      if (unsafe) throw new ValidationError([unsafe], `Invalid input: ${unsafe.path ? `${unsafe.path}: ` : ''}${unsafe.message}`);
      await options.guard?.();
      const spec = contract[event]!;
      const parsed = spec.payload.safeParse(params[0]);
      if (!parsed.success) throw ValidationError.fromZod(parsed.error);
      const handler = handlers[event as keyof C];
      const answer = await handler(parsed.data as PayloadOut<C[keyof C]>, {
        ...options.context,
        log,
        afterAck: (task) => deferred.push(task),
      });
      if (!(answer instanceof Delivery)) return answer;
      deferred.push(answer.deliver);
      return answer.result;
    })();
    const deliver = async () => {
      for (const task of deferred) {
        try {
          await task();
        } catch (error) {
          log.error({ err: error, event }, 'delivery after ack failed');
        }
      }
    };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
    });
    try {
      const outcome = await Promise.race([handled, timedOut]);
      if (outcome === 'timeout') {
        // A dependency hangs: answer now and let later events through. Should the work still
        // finish, what it stored is delivered to others; a retry with the same client id finds it.
        void inflight.track(handled.then(deliver, () => undefined));
        refuse(new UnavailableError(`No answer within ${options.timeoutMs} ms; try again.`));
        return;
      }
      metrics.socketEvents.inc({ namespace, event: label, outcome: 'ok' });
      if (ack) ack({ ok: true, data: outcome });
      else log.debug({ event }, 'event without ack callback');
    } catch (error) {
      refuse(error);
      return;
    } finally {
      clearTimeout(timer);
    }
    await deliver();
  };

  // One event at a time per connection: what a client sends in order is stored in that order.
  let queue: Promise<void> = options.after ? options.after.then(() => undefined, () => undefined) : Promise.resolve();
  socket.onAny((event: unknown, ...args: unknown[]) => {
    const now = Date.now();
    if (now - windowStart >= WINDOW_MS) {
      windowStart = now;
      count = 0;
      refusalsLogged = false;
    }
    count++;
    if (count > budgets.perConnection * FLOOD_FACTOR) {
      if (socket.connected) {
        log.warn({ events: count }, 'connection flooding: disconnected');
        metrics.limitRefusals.inc({ limit: 'events:flood' });
        socket.disconnect(true);
      }
      return;
    }
    const overBudget = count > budgets.perConnection ? windowStart + WINDOW_MS - now : 0;
    queue = queue.then(() => inflight.track(run(typeof event === 'string' ? event : String(event), args, overBudget)));
  });
}
