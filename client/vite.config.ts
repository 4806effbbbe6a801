import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Plugin } from 'vite';

const clientDir = fileURLToPath(new URL('.', import.meta.url));
const fromClient = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const outDir = fromClient('../dist/client');
const MANIFEST = '.vite/manifest.json';

/**
 * The widget is built as its own environment so it never shares chunks with the console: in a
 * single multi-page build the shared chunk would carry whatever the console uses (more of the
 * Svelte runtime, every UI string) and customer pages would pay for it. Both environments write
 * into dist/client, so this plugin merges the pages' manifest (read before the widget build
 * overwrites it) into the widget's: dist/client/.vite/manifest.json describes all three pages.
 */
function mergeManifests(): Plugin {
  const path = `${outDir}/${MANIFEST}`;
  let pages: Record<string, unknown> = {};
  return {
    name: 'zentrale:merge-manifests',
    apply: 'build',
    applyToEnvironment: (environment) => environment.name === 'widget',
    buildStart() {
      pages = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
    },
    writeBundle() {
      const widget = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      writeFileSync(path, `${JSON.stringify({ ...pages, ...widget }, null, 2)}\n`);
    },
  };
}

/**
 * The widget connects with `transports: ['websocket', 'polling']` (lib/socket.ts), so
 * engine.io-client's WebTransport transport is never used; customer pages should not download it
 * (about 400 bytes gzipped of the widget's size budget). Only the widget build gets the empty stand-in.
 */
function withoutWebTransport(): Plugin {
  return {
    name: 'zentrale:no-webtransport',
    apply: 'build',
    applyToEnvironment: (environment) => environment.name === 'widget',
    load(id) {
      return /engine\.io-client\/build\/esm\/transports\/webtransport\.js$/.test(id) ? 'export class WT {}\n' : null;
    },
  };
}

/**
 * Browser client: `/` (demo customer site), `/console/` (agent SPA), `/ticket/` (a ticket's
 * tracking page), `/community/` (the community rooms) and `/widget/` (the page inside the iframe), served statically from dist/client
 * by the Node server. The loader
 * (`/widget.js`) is built separately by vite.loader.config.ts.
 */
export default defineConfig({
  root: clientDir,
  base: '/',
  plugins: [svelte(), mergeManifests(), withoutWebTransport()],
  // Development runs Vite inside the zentrale server (npm run dev, server/src/http/devClient.ts),
  // so pages, API and sockets share one origin as in production.
  build: {
    outDir,
    manifest: true,
    target: 'es2022',
  },
  // `vite build` builds the pages first (emptying dist/client), then the widget into the same dir.
  builder: {
    async buildApp(builder) {
      const { client, widget } = builder.environments;
      if (!client || !widget) throw new Error('client and widget environments must be configured');
      await builder.build(client);
      await builder.build(widget);
    },
  },
  environments: {
    client: {
      build: {
        outDir,
        emptyOutDir: true,
        manifest: true,
        rolldownOptions: {
          // ticket/: the private tracking page (PUBLIC_URL/ticket/#<token>, see docs/tickets.md).
          // community/: the community rooms for visitors (served as a static page like ticket/).
          input: {
            demo: fromClient('index.html'),
            console: fromClient('console/index.html'),
            ticket: fromClient('ticket/index.html'),
            community: fromClient('community/index.html'),
          },
        },
      },
    },
    widget: {
      consumer: 'client',
      build: {
        outDir,
        emptyOutDir: false,
        manifest: true,
        rolldownOptions: { input: { widget: fromClient('widget/index.html') } },
      },
    },
  },
});
