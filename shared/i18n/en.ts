import { enCommon } from './common.js';
import { enConsole } from './console.js';
import { enServer } from './server.js';
import { enWidget } from './widget.js';

export { enCommon, enConsole, enServer, enWidget };
export type { CommonKey } from './common.js';
export type { ConsoleKey } from './console.js';
export type { ServerKey } from './server.js';
export type { WidgetKey } from './widget.js';

/**
 * All English strings. Split by audience so the embeddable widget bundles only what it shows
 * (its size budget): common (errors, connection), widget, console, server (system messages).
 * Object.assign marked pure (not a spread) so bundlers can drop sections a bundle never uses.
 */
export const en: typeof enCommon & typeof enWidget & typeof enConsole & typeof enServer =
  /* @__PURE__ */ Object.assign({}, enCommon, enWidget, enConsole, enServer);
export type MessageKey = keyof typeof en;
