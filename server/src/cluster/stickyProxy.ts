import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { parse as parseCookie } from 'cookie';
import { createProxyServer } from 'http-proxy-3';

export const NODE_COOKIE = 'zentrale_node';
const DEAD_FOR_MS = 2000;

export interface StickyProxy {
  server: Server;
  close(): Promise<void>;
}

/**
 * A small sticky load balancer for trying a cluster locally and for the multi-node tests:
 * a browser stays on the node it first reached (cookie `zentrale_node`), as Socket.IO's HTTP
 * long-polling requires; new clients and clients of a node that went away are spread over the
 * nodes that answer. Production setups use nginx or similar (docs/deployment.md).
 */
export function createStickyProxy(backends: string[]): StickyProxy {
  const proxy = createProxyServer({ ws: true, xfwd: true });
  const deadUntil = new Map<number, number>();
  let next = 0;

  const alive = (i: number) => (deadUntil.get(i) ?? 0) <= Date.now();
  function choose(req: IncomingMessage): { index: number; fresh: boolean } {
    const wanted = Number(parseCookie(req.headers.cookie ?? '')[NODE_COOKIE]);
    if (Number.isInteger(wanted) && wanted >= 0 && wanted < backends.length && alive(wanted)) return { index: wanted, fresh: false };
    for (let tries = 0; tries < backends.length; tries++) {
      const index = next++ % backends.length;
      if (alive(index)) return { index, fresh: true };
    }
    return { index: next++ % backends.length, fresh: true };
  }

  proxy.on('proxyRes', (proxyRes, req) => {
    const chosen = (req as IncomingMessage & { zentraleNode?: { index: number; fresh: boolean } }).zentraleNode;
    if (!chosen?.fresh) return;
    const cookie = `${NODE_COOKIE}=${chosen.index}; Path=/; HttpOnly; SameSite=Lax`;
    const existing = proxyRes.headers['set-cookie'];
    proxyRes.headers['set-cookie'] = [...(Array.isArray(existing) ? existing : existing ? [existing] : []), cookie];
  });

  const server = createServer((req, res) => {
    const chosen = choose(req);
    (req as IncomingMessage & { zentraleNode?: typeof chosen }).zentraleNode = chosen;
    proxy.web(req, res, { target: backends[chosen.index] }, () => {
      deadUntil.set(chosen.index, Date.now() + DEAD_FOR_MS);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('node unavailable, retry\n');
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const chosen = choose(req);
    proxy.ws(req, socket, head, { target: backends[chosen.index] }, () => {
      deadUntil.set(chosen.index, Date.now() + DEAD_FOR_MS);
      socket.destroy();
    });
  });

  return {
    server,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        proxy.close();
      }),
  };
}
