import { deCommon } from './common.js';
import { deConsole } from './console.js';
import type { MessageKey } from './en.js';
import { deServer } from './server.js';
import { deWidget } from './widget.js';

export { deCommon, deConsole, deServer, deWidget };

export const de: Record<MessageKey, string> = /* @__PURE__ */ Object.assign({}, deCommon, deWidget, deConsole, deServer);
