import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The embed loader: one small IIFE at dist/client/widget.js that customer pages include with
 * `<script src="https://zentrale.example/widget.js" async></script>`. Built after the pages,
 * so it must not empty the output directory.
 */
export default defineConfig({
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('../dist/client', import.meta.url)),
    emptyOutDir: false,
    copyPublicDir: false,
    target: 'es2018',
    minify: true,
    lib: {
      entry: fileURLToPath(new URL('loader/loader.ts', import.meta.url)),
      formats: ['iife'],
      name: 'zentraleLoader',
      fileName: () => 'widget.js',
    },
  },
});
