/**
 * Size budget of what customer pages download: the loader (widget.js) and the widget page's
 * JS and CSS (entry plus statically imported chunks), gzipped. Run after both vite builds.
 * Writes dist/client/size-report.json and exits 1 when over budget.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_WIDGET_JS_GZIP = 40 * 1024;
const BUDGET_LOADER_GZIP = 3 * 1024;
const WIDGET_ENTRY = 'widget/index.html';

interface ManifestChunk {
  file: string;
  imports?: string[];
  css?: string[];
}
type Manifest = Record<string, ManifestChunk>;

const outDir = fileURLToPath(new URL('../../dist/client/', import.meta.url));
const manifest = JSON.parse(readFileSync(join(outDir, '.vite/manifest.json'), 'utf8')) as Manifest;

const gzipSize = (file: string): number => gzipSync(readFileSync(join(outDir, file)), { level: 9 }).length;

/** The entry's JS file and CSS plus those of every chunk it imports statically (not dynamic imports). */
function collect(key: string, js = new Set<string>(), css = new Set<string>()): { js: Set<string>; css: Set<string> } {
  const chunk = manifest[key];
  if (!chunk) throw new Error(`manifest has no entry ${key}`);
  if (js.has(chunk.file)) return { js, css };
  js.add(chunk.file);
  for (const file of chunk.css ?? []) css.add(file);
  for (const imported of chunk.imports ?? []) collect(imported, js, css);
  return { js, css };
}

const widget = collect(WIDGET_ENTRY);
const sum = (files: Iterable<string>): number => [...files].reduce((total, file) => total + gzipSize(file), 0);
const report = {
  widgetJsGzip: sum(widget.js),
  widgetCssGzip: sum(widget.css),
  loaderGzip: gzipSize('widget.js'),
  budgetWidgetJsGzip: BUDGET_WIDGET_JS_GZIP,
  budgetLoaderGzip: BUDGET_LOADER_GZIP,
};
writeFileSync(join(outDir, 'size-report.json'), `${JSON.stringify(report, null, 2)}\n`);

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
const rows: [string, number, number | null][] = [
  ['widget JS (gzip)', report.widgetJsGzip, BUDGET_WIDGET_JS_GZIP],
  ['widget CSS (gzip)', report.widgetCssGzip, null],
  ['loader widget.js (gzip)', report.loaderGzip, BUDGET_LOADER_GZIP],
];
console.log('\nSize budget');
for (const [label, size, budget] of rows) {
  const verdict = budget === null ? '' : size <= budget ? `ok (budget ${kb(budget)})` : `OVER BUDGET (${kb(budget)})`;
  console.log(`  ${label.padEnd(26)} ${kb(size).padStart(9)}  ${verdict}`);
}

const over = report.widgetJsGzip > BUDGET_WIDGET_JS_GZIP || report.loaderGzip > BUDGET_LOADER_GZIP;
if (over) {
  console.error('\nThe widget exceeds its size budget. Check for runtime imports of zod or other heavy modules.');
  process.exit(1);
}
