import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';

/** Serves the built client (dist/client): demo page, console SPA, widget page, ticket tracking page, community page and loader. */
export function clientAssets(distDir: string): Router {
  const router = Router();
  if (!existsSync(path.join(distDir, 'index.html'))) {
    router.get(['/', '/console', '/console/{*rest}', '/widget', '/widget/{*rest}', '/ticket', '/ticket/{*rest}', '/community', '/community/{*rest}'], (_req, res) => {
      res
        .status(503)
        .type('text/plain')
        .send('The zentrale client is not built yet. Run "npm run build" (or use "npm run dev").\n');
    });
    return router;
  }

  // The loader is fetched by customers' sites: cross-origin allowed, short cache so updates spread.
  router.get('/widget.js', (_req, res) => {
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.sendFile(path.join(distDir, 'widget.js'));
  });
  // Hashed file names: cache forever.
  router.use('/assets', express.static(path.join(distDir, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: false }));
  router.use(express.static(distDir, { index: ['index.html'], redirect: true, setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache') }));
  // The console is a single-page app: its deep links all load the same document.
  router.get(['/console', '/console/{*rest}'], (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.join(distDir, 'console', 'index.html'));
  });
  return router;
}
