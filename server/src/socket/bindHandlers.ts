import type { Socket } from 'socket.io';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Ack } from '../../../shared/ack.js';
import type { EventContract, PayloadOut, ResultOf } from '../../../shared/contract.js';
import { RateLimitedError, UnknownEventError, ValidationError } from '../errors/errors.js';
import { toErrorResponse } from '../errors/toErrorResponse.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Inflight } from './inflight.js';

export interface HandlerContext {
  log: Logger;
  /** Runs after the ack went out: deliveries to others follow the sender's confirmation. */
  afterAck(task: () => unknown): void;
}

export type Handlers<C extends EventContract, Ctx> = {
  [K in keyof C]: (payload: PayloadOut<C[K]>, ctx: Ctx & HandlerContext) => Promise<ResultOf<C[K]>> | ResultOf<C[K]>;
};

export interface BindOptions<C extends EventContract, Ctx> {
  namespace: string;
  contract: C;
  handlers: Handlers<C, Ctx>;
  context: Ctx;
  log: Logger;
  metrics: Metrics;
  /** Per-connection event budget; consumed once per incoming event. */
  limiter: RateLimiterAbstract;
  inflight: Inflight;
  /** Events wait for this (the connection's setup) before the first one is handled. */
  after?: Promise<unknown>;
}

type AnyAck = (response: Ack<unknown>) => void;

/**
 * Wires a contract to a socket: every event is rate-limited, validated against its shared schema,
 * handled, and answered with exactly one ack. Unknown events and bad payloads get an error ack and
 * a log line; nothing a client sends can throw past this point.
 */
export function bindHandlers<C extends EventContract, Ctx>(socket: Socket, options: BindOptions<C, Ctx>): void {
  const { namespace, contract, handlers, context, metrics, limiter, inflight } = options;
  const log = options.log.child({ ns: namespace, socketId: socket.id });

  const run = async (event: string, args: unknown[]) => {
    const last = args[args.length - 1];
    const ack: AnyAck | null = typeof last === 'function' ? (last as AnyAck) : null;
    const params = ack ? args.slice(0, -1) : args;
    const deferred: Array<() => unknown> = [];
    const known = Object.hasOwn(contract, event);
    const label = known ? event : 'unknown';
    try {
      await limiter.consume(socket.id).catch((res: { msBeforeNext?: number }) => {
        if (res instanceof Error) throw res;
        throw new RateLimitedError(Math.max(1, Math.ceil((res.msBeforeNext ?? 1000) / 1000)));
      });
      if (!known) throw new UnknownEventError(event);
      if (params.length !== 1) {
        throw new ValidationError([{ path: '', message: `expected exactly one payload argument, got ${params.length}` }]);
      }
      const spec = contract[event]!;
      const parsed = spec.payload.safeParse(params[0]);
      if (!parsed.success) throw ValidationError.fromZod(parsed.error);
      const handler = handlers[event as keyof C];
      const data = await handler(parsed.data as PayloadOut<C[keyof C]>, {
        ...context,
        log,
        afterAck: (task) => deferred.push(task),
      });
      metrics.socketEvents.inc({ namespace, event: label, outcome: 'ok' });
      if (ack) ack({ ok: true, data });
      else log.debug({ event }, 'event without ack callback');
    } catch (error) {
      const { body } = toErrorResponse(error, log, { event: label });
      metrics.socketEvents.inc({ namespace, event: label, outcome: body.error.code });
      if (ack) ack(body);
      return;
    }
    for (const task of deferred) {
      try {
        await task();
      } catch (error) {
        log.error({ err: error, event }, 'delivery after ack failed');
      }
    }
  };

  // One event at a time per connection: what a client sends in order is stored in that order.
  let queue: Promise<void> = options.after ? options.after.then(() => undefined, () => undefined) : Promise.resolve();
  socket.onAny((event: unknown, ...args: unknown[]) => {
    queue = queue.then(() => inflight.track(run(typeof event === 'string' ? event : String(event), args)));
  });
}
