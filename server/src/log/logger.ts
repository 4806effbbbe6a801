import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { app: 'zentrale', pid: process.pid },
    // Secrets must never reach logs, whichever handler logs the request or payload.
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'setupToken', '*.setupToken', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      censor: '[redacted]',
    },
  });
}
