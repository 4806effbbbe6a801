import type { CommonKey } from '../../../shared/i18n/common.js';
import type { CommunityKey } from '../../../shared/i18n/community.js';
import type { Translate, UiLanguage } from '../i18n.svelte.js';

export type CommunityStringKey = CommonKey | CommunityKey;

/**
 * What the shared community components need of a locale. Both the community page's Locale and
 * the console's (which has every key) fit, so the components do not care which page they are on.
 */
export interface CommunityText {
  readonly lang: UiLanguage;
  t: Translate<CommunityStringKey>;
}
