import type { Socket } from 'socket.io-client';
import type { Transfer, TransferTarget } from '../../../shared/schemas/transfer.js';
import { accept, clientId, eventually, makeVisitorChat, type TestAgent, type TestVisitor } from '../../support/chatFixtures.js';
import { ask, nextEvent, type AgentSocket } from '../../support/clients.js';
import type { TestServer } from '../../support/server.js';

/** A visitor's chat, offered to and accepted by `agent`. */
export async function servedChat(server: TestServer, departmentId: number, agent: TestAgent, opts: { language?: string; name?: string; text?: string } = {}): Promise<TestVisitor> {
  const chat = await makeVisitorChat(server, departmentId, opts);
  await eventually(() => agent.offers.some((o) => o.conversationId === chat.conversationId), 5000, 'the offer');
  await accept(agent, chat.conversationId);
  return chat;
}

export function requestTransfer(socket: AgentSocket, conversationId: string, to: TransferTarget, extra: { note?: string; force?: boolean; clientId?: string } = {}) {
  return ask(socket, 'transfer:request', { conversationId, clientId: extra.clientId ?? clientId(), to, note: extra.note ?? '', force: extra.force ?? false });
}

/** Every payload of one server event from now on. */
export function collect<T>(socket: Socket | AgentSocket, event: string): T[] {
  const seen: T[] = [];
  (socket as unknown as { on(e: string, f: (v: T) => void): void }).on(event, (value) => seen.push(value));
  return seen;
}

/** The next `transfer:updated` with the given status. */
export function transferUpdate(socket: AgentSocket, status: Transfer['status'], ms = 5000): Promise<Transfer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no transfer:updated "${status}" within ${ms} ms`)), ms);
    const listener = (transfer: Transfer) => {
      if (transfer.status !== status) return;
      clearTimeout(timer);
      socket.off('transfer:updated', listener);
      resolve(transfer);
    };
    socket.on('transfer:updated', listener);
  });
}

/** The next message the socket receives whose body matches. */
export function messageMatching(socket: Socket | AgentSocket, pattern: RegExp, ms = 5000): Promise<{ id: number; body: string; senderType: string }> {
  return new Promise((resolve, reject) => {
    const s = socket as unknown as { on(e: string, f: (m: { id: number; body: string; senderType: string }) => void): void; off(e: string, f: unknown): void };
    const timer = setTimeout(() => reject(new Error(`no message matching ${pattern} within ${ms} ms`)), ms);
    const listener = (m: { id: number; body: string; senderType: string }) => {
      if (!pattern.test(m.body)) return;
      clearTimeout(timer);
      s.off('message:sent', listener);
      resolve(m);
    };
    s.on('message:sent', listener);
  });
}

export { nextEvent };
