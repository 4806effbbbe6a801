import type { ChatService } from '../chat/chatService.js';
import type { Sessions } from '../auth/sessions.js';
import type { Limit } from '../limits/limits.js';
import type { Refund } from '../visitors/quotas.js';
import type { Bus } from '../events/bus.js';
import { createTicketAdmin } from './admin.js';
import { createAgentTickets } from './agentSide.js';
import { createComments } from './comments.js';
import { createConversion } from './convert.js';
import type { TicketDeps } from './deps.js';
import { createFallback } from './fallback.js';
import { agentTicketHandlers, visitorTicketHandlers, type TicketQuota } from './handlers.js';
import { defineTicketModels } from './models.js';
import { createTicketPushes } from './pushes.js';
import { publicTicketRoutes, ticketAdminRoutes } from './routes.js';
import { createSla } from './sla.js';
import { createStandalone } from './standalone.js';
import { createStandIns } from './standIns.js';
import { createSubstitution } from './substitution.js';
import { createTracking } from './tracking.js';
import { createTicketViews } from './views.js';
import { createVisitorTickets } from './visitorSide.js';
import { createTicketWriter } from './writer.js';

export type TicketSetup = Omit<TicketDeps, 'models' | 'pushes' | 'views' | 'substitution' | 'tracking'> & {
  /** Ticket facts are published here (the socket pushes subscribe). */
  bus: Bus;
  secretKey: Uint8Array;
  publicUrl: string;
  tickMs: number;
  /** Visitors' budget of new tickets (visitors/quotas.ts). */
  ticketQuota: TicketQuota;
  /** Visitors' budget of voicemails and their bytes (visitors/quotas.ts). */
  voicemailQuota(visitorId: string, address: string, bytes: number): Promise<Refund>;
};

/**
 * Tickets, the offline fallback (docs/tickets.md). Built before the chat service, which asks the
 * fallback about every new chat; `bindChat` completes it once the chat service exists.
 */
export function createTickets(setup: TicketSetup) {
  const { bus, secretKey, publicUrl, tickMs, ticketQuota, voicemailQuota, ...base } = setup;
  const models = defineTicketModels(base.db.sequelize);
  const substitution = createSubstitution({ db: base.db, engine: base.engine, now: base.now });
  const deps: TicketDeps = {
    ...base,
    models,
    substitution,
    tracking: createTracking(secretKey, publicUrl),
    pushes: createTicketPushes(bus),
    views: createTicketViews({ db: base.db, models, conversationViews: base.conversationViews, substitution }),
  };
  const sla = createSla(deps);
  const writer = createTicketWriter(deps, sla);
  const conversion = createConversion(deps, writer);
  const fallback = createFallback(deps, conversion);
  const standalone = createStandalone(deps, writer, conversion);
  const comments = createComments(deps);
  const agentSide = createAgentTickets(deps, sla);
  const admin = createTicketAdmin(base.db, models);
  const standIns = createStandIns(deps);
  let chat: Pick<ChatService, 'visitorConversation'> | null = null;
  const visitorSide = createVisitorTickets(deps, {
    chat: { visitorConversation: (visitorId, conversationId) => chat!.visitorConversation(visitorId, conversationId) },
    conversion,
    standalone,
    comments,
  });

  async function pass(): Promise<void> {
    try {
      await fallback.tick();
      await sla.tick();
      await standIns();
    } catch (error) {
      base.log.error({ err: error }, 'ticket timer failed');
    }
  }
  let current: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  /**
   * The fallback's checks of waiting chats, then the SLA marks. Passes never overlap; a call
   * during a pass gets a complete pass after it (tests call this after moving the clock).
   */
  function tick(): Promise<void> {
    if (!current) {
      current = pass().finally(() => {
        current = null;
      });
      return current;
    }
    next ??= current.then(() => {
      next = null;
      return tick();
    });
    return next;
  }
  let timer: NodeJS.Timeout | null = null;

  // A ticket's history says when its mail could not be delivered, so the agent knows to reach out another way.
  bus.on('mail.given_up', async ({ ticketId, kind, error }) => {
    if (ticketId === null) return;
    await models.TicketEvent.create({ ticketId, type: 'mail_failed', actorType: 'system', actorId: null, data: JSON.stringify({ kind, error }), createdAt: base.now() });
  });

  return {
    models,
    startFallback: fallback.start,
    nobodyAvailable: fallback.nobodyAvailable,
    bindChat(service: Pick<ChatService, 'visitorConversation'>): void {
      chat = service;
    },
    visitorHandlers: () => visitorTicketHandlers(visitorSide, ticketQuota),
    /** Voicemail (server/src/voice/voicemail.ts) files its recording through these. */
    voicemail: {
      ticket: visitorSide.voicemail,
      attach: visitorSide.attach,
      /** Charges a voicemail's budgets; a retry (its ticket exists) is answered without a charge. */
      async charge(visitorId: string, address: string, bytes: number, clientId: string): Promise<Refund> {
        if (await models.Ticket.findOne({ where: { visitorId, clientId }, attributes: ['id'] })) return async () => undefined;
        return voicemailQuota(visitorId, address, bytes);
      },
    },
    agentHandlers: () => agentTicketHandlers(agentSide),
    mayReadThread: agentSide.mayReadThread,
    /** `perAddress`: the tracking API's requests per address (made with makeLimit). */
    publicRoutes: (perAddress: Limit) => publicTicketRoutes(deps, comments, perAddress),
    adminRoutes: (sessions: Sessions) => ticketAdminRoutes(admin, sessions),
    tick,
    start(): void {
      // Waiting chats are looked at about once a second: the fallback reacts to agents going offline within that.
      timer ??= setInterval(() => void tick(), Math.max(tickMs, 1000));
      timer.unref();
    },
    stop(): void {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

export type Tickets = ReturnType<typeof createTickets>;
