import { deCommunity, deCommunityStaff, enCommunity, enCommunityStaff, type CommunityKey, type CommunityStaffKey } from '../../../shared/i18n/community.js';
import { dictionaries, type MessageKey } from '../../../shared/i18n/index.js';
import type { Dictionaries, Locale } from '../../lib/i18n.svelte.js';

/** The console shows every string, plus the community's (rooms and moderation). */
export type ConsoleStringKey = MessageKey | CommunityKey | CommunityStaffKey;
export type ConsoleLocale = Locale<ConsoleStringKey>;
export const consoleDictionaries: Dictionaries<ConsoleStringKey> = {
  de: { ...dictionaries.de, ...deCommunity, ...deCommunityStaff },
  en: { ...dictionaries.en, ...enCommunity, ...enCommunityStaff },
};
