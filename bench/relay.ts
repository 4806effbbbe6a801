/**
 * The bare Socket.IO relay: the baseline zentrale is compared with. Same Socket.IO version, same
 * namespaces and event names, so one bot code drives both — but no authentication, routing,
 * validation or storage. A chat is a room: the visitor joins it in /visitor, the agent picked for
 * it joins it in /agent, and each message is acked and then pushed to the other side's room.
 *
 * "Routing" is a plain round-robin over the agents of the requested department that said they are
 * available, so the burst scenario has a floor to compare against.
 *
 *   PORT=4000 node --import tsx bench/relay.ts
 */
import { createServer } from 'node:http';
import { Server, type Socket } from 'socket.io';

const port = Number(process.env.PORT ?? 0);
const http = createServer((req, res) => {
  res.writeHead(req.url === '/health' ? 200 : 404, { 'content-type': 'text/plain' }).end(req.url === '/health' ? 'ok' : '');
});
const io = new Server(http, { serveClient: false });
const visitors = io.of('/visitor');
const agents = io.of('/agent');

/** Available agent sockets per department, and the round-robin cursor. */
const available = new Map<number, Socket[]>();
const cursor = new Map<number, number>();
let nextConversation = 0;
let nextMessage = 0;

type Ack = (response: unknown) => void;
const ok = (ack: unknown, data: unknown) => typeof ack === 'function' && (ack as Ack)({ ok: true, data });

agents.on('connection', (socket) => {
  const departmentId = Number((socket.handshake.auth as { departmentId?: unknown }).departmentId ?? 0);
  socket.on('presence:set', (_payload: unknown, ack: unknown) => {
    const list = available.get(departmentId) ?? [];
    if (!list.includes(socket)) list.push(socket);
    available.set(departmentId, list);
    ok(ack, { status: 'available' });
  });
  socket.on('message:send', (p: { conversationId: string; clientId: string; text: string }, ack: unknown) => {
    const message = { id: ++nextMessage, conversationId: p.conversationId, clientId: p.clientId, senderType: 'agent', body: p.text, createdAt: new Date().toISOString() };
    ok(ack, { message, duplicate: false });
    visitors.to(p.conversationId).emit('message:sent', message);
  });
  socket.on('disconnect', () => {
    const list = available.get(departmentId);
    if (list) available.set(departmentId, list.filter((s) => s !== socket));
  });
});

visitors.on('connection', (socket) => {
  socket.on('conversation:start', (p: { clientId: string; departmentId: number; text: string }, ack: unknown) => {
    const id = `relay-${++nextConversation}`;
    void socket.join(id);
    const message = { id: ++nextMessage, conversationId: id, clientId: p.clientId, senderType: 'visitor', body: p.text, createdAt: new Date().toISOString() };
    const list = available.get(p.departmentId) ?? [];
    const agent = list.length ? list[(cursor.get(p.departmentId) ?? 0) % list.length] : undefined;
    cursor.set(p.departmentId, (cursor.get(p.departmentId) ?? 0) + 1);
    ok(ack, { conversation: { id, status: agent ? 'active' : 'queued' }, message, queue: null });
    if (agent) {
      void agent.join(id);
      agent.emit('conversation:assigned', { id, departmentId: p.departmentId, status: 'active' });
    }
  });
  socket.on('message:send', (p: { conversationId: string; clientId: string; text: string }, ack: unknown) => {
    const message = { id: ++nextMessage, conversationId: p.conversationId, clientId: p.clientId, senderType: 'visitor', body: p.text, createdAt: new Date().toISOString() };
    ok(ack, { message, duplicate: false });
    agents.to(p.conversationId).emit('message:sent', message);
  });
});

http.listen(port, '127.0.0.1', () => {
  const address = http.address();
  process.stdout.write(`relay listening on ${typeof address === 'object' && address ? address.port : port}\n`);
});
const stop = () => {
  void io.close();
  http.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
