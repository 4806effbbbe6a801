import type { OpeningHours } from '../../../shared/schemas/departments.js';
import type { RoutingConfig } from '../../../shared/schemas/routing.js';
import type { TicketCreated } from '../../../shared/schemas/tickets.js';
import { clientId, makeDepartment } from '../../support/chatFixtures.js';
import { ask, connectVisitor, expectOk, visitorSession, type VisitorSocket } from '../../support/clients.js';
import type { DbKind } from '../../support/dbTargets.js';
import { startTestServer, type TestClock, type TestServer } from '../../support/server.js';
import type { TestSmtp } from '../../support/smtp.js';

/** A test server that mails through the loopback SMTP server. */
export function ticketServer(opts: { db: DbKind; redis?: boolean; smtp?: TestSmtp; clock?: TestClock; env?: Record<string, string> }): Promise<TestServer> {
  return startTestServer({
    db: opts.db,
    redis: opts.redis ?? false,
    ...(opts.clock ? { clock: opts.clock } : {}),
    env: {
      ...(opts.smtp ? { SMTP_URL: opts.smtp.url, MAIL_FROM: 'Kundenservice <support@zentrale.test>' } : {}),
      PUBLIC_TICKET_REQUESTS_PER_MINUTE: '10000',
      ...opts.env,
    },
  });
}

/** A department with the offline fallback on (the fixture's default is off, for the routing suites). */
export async function fallbackDepartment(
  server: TestServer,
  routing: Partial<RoutingConfig> = {},
  extra: { openingHours?: OpeningHours; fallbackDepartmentId?: number; languages?: string[] } = {},
): Promise<number> {
  const id = await makeDepartment(server, { ...routing, offlineFallback: routing.offlineFallback ?? true }, extra.languages);
  await server.zentrale.db.models.Department.update(
    { openingHours: extra.openingHours ?? null, fallbackDepartmentId: extra.fallbackDepartmentId ?? null },
    { where: { id } },
  );
  return id;
}

/** Opening hours that are closed all of today (Europe/Berlin) and open all of every other day. */
export function closedToday(at: Date): NonNullable<OpeningHours> {
  const today = new Intl.DateTimeFormat('en-GB', { weekday: 'short', timeZone: 'Europe/Berlin' }).format(at).toLowerCase().slice(0, 3);
  const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].filter((d) => d !== today);
  return { timezone: 'Europe/Berlin', weekly: Object.fromEntries(days.map((d) => [d, [{ from: '00:00', to: '24:00' }]])) };
}

export interface TicketVisitor {
  socket: VisitorSocket;
  token: string;
  visitorId: string;
}

export async function newVisitor(server: TestServer): Promise<TicketVisitor> {
  const session = await visitorSession(server.baseUrl);
  return { socket: await connectVisitor(server.baseUrl, session.token), token: session.token, visitorId: session.visitorId };
}

/** "Leave a message" without a chat. */
export async function leaveMessage(
  server: TestServer,
  departmentId: number,
  opts: { language?: string; name?: string; email?: string; text?: string; customerNumber?: string; product?: string; subject?: string } = {},
): Promise<TicketVisitor & { created: TicketCreated }> {
  const v = await newVisitor(server);
  const created = expectOk(
    await ask(v.socket, 'ticket:create', {
      clientId: clientId(),
      departmentId,
      language: opts.language ?? 'de',
      name: opts.name ?? 'Erika Mustermann',
      text: opts.text ?? 'Mein Drucker druckt nicht.',
      ...(opts.email ? { email: opts.email } : {}),
      ...(opts.customerNumber ? { customerNumber: opts.customerNumber } : {}),
      ...(opts.product ? { product: opts.product } : {}),
      ...(opts.subject ? { subject: opts.subject } : {}),
    }),
  );
  return { ...v, created };
}

export const tokenOf = (trackingUrl: string): string => trackingUrl.split('#')[1] ?? '';

/** A word no other test uses, so full-text results are not disturbed by the rest of the suite. */
export const uniqueWord = (stem: string): string => `${stem}${Math.random().toString(36).replace(/[^a-z]/g, '').slice(0, 6)}`;
