import { dictionaries, type MessageKey } from '../../../shared/i18n/index.js';
import type { Locale } from '../../lib/i18n.svelte.js';

export type ConsoleLocale = Locale<MessageKey>;
export const consoleDictionaries = dictionaries;
