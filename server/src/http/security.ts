import type { RequestHandler } from 'express';
import helmet from 'helmet';

export const WIDGET_PAGE_PREFIX = '/widget/';

/**
 * Security headers for every response. The widget page is the one page other sites may frame:
 * its frame-ancestors list is the configured site origins; every other page may only be framed
 * by zentrale itself.
 */
export function securityHeaders(opts: { https: boolean; allowedOrigins: readonly string[]; development: boolean }): RequestHandler {
  const directives = (frameAncestors: string[]) => ({
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    // blob: for attachment previews, fetched with credentials and shown from memory.
    imgSrc: ["'self'", 'data:', 'blob:'],
    mediaSrc: ["'self'", 'blob:'],
    connectSrc: ["'self'"],
    frameSrc: ["'self'"],
    frameAncestors,
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    upgradeInsecureRequests: opts.https ? [] : null,
  });
  const common = {
    // Vite's dev server injects inline modules and a HMR socket; production keeps a strict policy.
    hsts: opts.https,
    crossOriginResourcePolicy: { policy: 'same-site' as const },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' as const },
  };
  const pages = helmet({
    ...common,
    contentSecurityPolicy: opts.development ? false : { useDefaults: false, directives: directives(["'self'"]) },
  });
  const widget = helmet({
    ...common,
    xFrameOptions: false,
    contentSecurityPolicy: opts.development ? false : { useDefaults: false, directives: directives(["'self'", ...opts.allowedOrigins]) },
  });
  return (req, res, next) => (req.path.startsWith(WIDGET_PAGE_PREFIX) ? widget : pages)(req, res, next);
}
