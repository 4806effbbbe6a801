import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import type { Socket } from 'socket.io-client';
import type { Ack, AckCallback } from '../../../shared/ack.js';
import { ask, connectSocket } from '../../../client/lib/socket.js';

/** A small event map in the shape of shared/events (payload, ack). */
interface TestClientToServer {
  echo: (payload: { text: string }, ack: AckCallback<{ text: string }>) => void;
  refuse: (payload: Record<string, never>, ack: AckCallback<never>) => void;
  silent: (payload: Record<string, never>, ack: AckCallback<never>) => void;
  hangup: (payload: Record<string, never>, ack: AckCallback<never>) => void;
}

const refusal: Ack<never> = { ok: false, error: { code: 'CONFLICT', message: 'transfer refused', reason: 'at_capacity' } };

describe('client ask(): typed emit with ack that keeps the failure cause', () => {
  let http: HttpServer;
  let io: Server;
  let url: string;
  const sockets: Socket[] = [];

  before(async () => {
    http = createServer();
    io = new Server(http);
    io.on('connection', (socket) => {
      socket.on('echo', (payload: { text: string }, ack: AckCallback<{ text: string }>) => ack({ ok: true, data: { text: payload.text } }));
      socket.on('refuse', (_payload: unknown, ack: AckCallback<never>) => ack(refusal));
      socket.on('silent', () => undefined);
      socket.on('hangup', () => void socket.disconnect(true));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const socket of sockets) socket.disconnect();
    await io.close();
  });

  async function connect(): Promise<Socket<Record<string, never>, TestClientToServer>> {
    const socket = connectSocket<Record<string, never>, TestClientToServer>(url, { ackTimeout: 300, reconnection: false, transports: ['websocket'] });
    sockets.push(socket as unknown as Socket);
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    return socket;
  }

  it('returns the data of a successful ack', async () => {
    const socket = await connect();
    assert.deepEqual(await ask(socket, 'echo', { text: 'hallo' }), { ok: true, data: { text: 'hallo' } });
  });

  it("keeps the server's error ack as it came (code, message, reason)", async () => {
    const socket = await connect();
    assert.deepEqual(await ask(socket, 'refuse', {}), refusal);
  });

  it('is TIMEOUT when connected and no answer comes in time', async () => {
    const socket = await connect();
    const result = await ask(socket, 'silent', {});
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.error.code, 'TIMEOUT');
    assert.ok(socket.connected);
  });

  it('is NETWORK when the connection drops while waiting for the answer', async () => {
    const socket = await connect();
    const started = Date.now();
    const result = await ask(socket, 'hangup', {});
    assert.equal(!result.ok && result.error.code, 'NETWORK');
    assert.match(!result.ok ? result.error.message : '', /disconnected/);
    // The drop is reported at once, not after the ack timeout.
    assert.ok(Date.now() - started < 300, `${Date.now() - started} ms`);
  });

  it('is NETWORK when the socket is offline and the request never went out', async () => {
    const socket = await connect();
    socket.disconnect();
    const result = await ask(socket, 'echo', { text: 'buffered' });
    assert.equal(!result.ok && result.error.code, 'NETWORK');
  });
});
