import path from 'node:path';
import { Router } from 'express';

/**
 * Development: Vite serves the client from source with hot reload, inside this same server so
 * that the console's cookies and the widget's socket behave as in production.
 */
export async function devClient(rootDir: string): Promise<{ router: Router; close(): Promise<void> }> {
  const { createServer } = await import('vite');
  const vite = await createServer({
    configFile: path.join(rootDir, 'client', 'vite.config.ts'),
    server: { middlewareMode: true, hmr: { port: 24678 } },
    appType: 'mpa',
  });
  const router = Router();
  // The loader is a classic script, so serve it transformed rather than as a module URL.
  router.get('/widget.js', async (_req, res) => {
    const result = await vite.transformRequest('/loader/loader.ts');
    res.type('application/javascript').send(result?.code ?? '');
  });
  router.get(['/console', '/console/{*rest}'], async (req, res, next) => {
    if (path.extname(req.path)) return next();
    const fs = await import('node:fs/promises');
    const html = await fs.readFile(path.join(rootDir, 'client', 'console', 'index.html'), 'utf8');
    res.type('html').send(await vite.transformIndexHtml(req.originalUrl, html));
  });
  router.use(vite.middlewares);
  return { router, close: () => vite.close() };
}
