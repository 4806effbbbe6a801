import type { UiLanguage } from '../../../shared/schemas/common.js';
import { errorText, type ClientError } from '../errors.js';
import { formatMessageTime } from '../format.js';
import type { CommunityNotice } from './client.svelte.js';
import { COMMUNITY_MAX_LINKS } from './limits.js';
import type { CommunityText } from './strings.js';

const until = (iso: string, lang: UiLanguage): string => formatMessageTime(iso, lang);

/** A refused community action as a sentence: the refusal reasons first, then the usual codes. */
export function refusalText(text: CommunityText, error: ClientError, mutedUntil: string | null = null): string {
  const { t, lang } = text;
  if (error.code === 'RATE_LIMITED') return t('community.rateLimited', { seconds: Math.max(1, Math.ceil(error.retryAfterSeconds ?? 30)) });
  switch (error.reason) {
    case 'muted':
      return mutedUntil ? t('community.refusal.muted', { until: until(mutedUntil, lang) }) : t('community.refusal.mutedNoTime');
    case 'banned':
      return mutedUntil ? t('community.refusal.banned', { until: until(mutedUntil, lang) }) : t('community.refusal.bannedNoTime');
    case 'too_many_links':
      return t('community.refusal.too_many_links', { max: COMMUNITY_MAX_LINKS });
    case 'no_name':
    case 'name_reserved':
    case 'deleted':
    case 'not_a_reply':
      return t(`community.refusal.${error.reason}`);
    default:
      return errorText(t, error);
  }
}

/** What a mute, ban or its lifting means for the person, in their language. */
export function noticeText(text: CommunityText, notice: CommunityNotice): string {
  const { t, lang } = text;
  if (notice.kind === 'lifted') return t('community.sanction.lifted');
  const key = notice.kind === 'mute' ? 'muted' : 'banned';
  const main = notice.until ? t(`community.refusal.${key}`, { until: until(notice.until, lang) }) : t(`community.refusal.${key}NoTime`);
  return notice.reason ? `${main} ${t('community.sanction.reason', { reason: notice.reason })}` : main;
}
