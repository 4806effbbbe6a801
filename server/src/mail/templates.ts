import { translateMail, type MailKey } from '../../../shared/i18n/mail.js';
import type { UiLanguage } from '../../../shared/schemas/common.js';

/** Mail times are shown in the teams' own zone; the installation serves German and European teams. */
const MAIL_TIME_ZONE = 'Europe/Berlin';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const paragraph = (s: string) => `<p>${escapeHtml(s).replace(/\n/g, '<br>')}</p>`;
const quote = (s: string) => `<blockquote style="margin:0 0 1em;padding-left:1em;border-left:3px solid #ccc">${escapeHtml(s).replace(/\n/g, '<br>')}</blockquote>`;
const link = (url: string) => `<p><a href="${escapeHtml(url)}">${escapeHtml(url)}</a></p>`;

export const formatTime = (lang: UiLanguage, at: Date): string =>
  new Intl.DateTimeFormat(lang === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: MAIL_TIME_ZONE }).format(at);

/** A mail as blocks: each block becomes a paragraph (or quote, or link) in both plain text and HTML. */
type Block = { p: string } | { quote: string } | { link: string };

function render(lang: UiLanguage, subject: string, name: string | null, blocks: Block[]): RenderedMail {
  const t = (key: MailKey, params?: Record<string, string>) => translateMail(lang, key, params);
  const all: Block[] = [{ p: name ? t('mail.greeting', { name }) : t('mail.greetingNoName') }, ...blocks, { p: t('mail.signature') }];
  const text = all.map((b) => ('p' in b ? b.p : 'quote' in b ? b.quote.split('\n').map((l) => `> ${l}`).join('\n') : b.link)).join('\n\n');
  const body = all.map((b) => ('p' in b ? paragraph(b.p) : 'quote' in b ? quote(b.quote) : link(b.link))).join('\n');
  const html = `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body style="font-family:sans-serif;line-height:1.5">\n${body}\n</body></html>`;
  return { subject, text: `${text}\n`, html };
}

/**
 * A ticket's confirmation. It goes to an address nobody has confirmed, so it holds nothing the
 * visitor wrote — no message, no name — only our text, the number, a callback's phone number and
 * time (both checked formats) and the private tracking link.
 */
export interface CreatedMailInput {
  lang: UiLanguage;
  number: string;
  /** A voicemail is confirmed like a written message. */
  kind: 'message' | 'callback' | 'voicemail';
  phone: string | null;
  preferredFrom: Date | null;
  preferredTo: Date | null;
  trackingUrl: string;
  closed: boolean;
}

export function ticketCreatedMail(m: CreatedMailInput): RenderedMail {
  const t = (key: MailKey, params?: Record<string, string>) => translateMail(m.lang, key, params);
  const blocks: Block[] = [];
  if (m.kind === 'callback') {
    blocks.push({ p: t('mail.callback.body', { phone: m.phone ?? '' }) });
    if (m.preferredFrom || m.preferredTo) {
      blocks.push({ p: t('mail.callback.preferred', { from: m.preferredFrom ? formatTime(m.lang, m.preferredFrom) : '…', to: m.preferredTo ? formatTime(m.lang, m.preferredTo) : '…' }) });
    }
  } else {
    blocks.push({ p: t('mail.created.body', { number: m.number }) });
    if (m.closed) blocks.push({ p: t('mail.created.closed') });
  }
  blocks.push({ p: t('mail.tracking') }, { link: m.trackingUrl }, { p: t('mail.trackingNote') }, { p: t('mail.notYou') });
  const subject = m.kind === 'callback' ? t('mail.callback.subject', { number: m.number }) : t('mail.created.subject', { number: m.number });
  return render(m.lang, subject, null, blocks);
}

export function ticketReplyMail(m: { lang: UiLanguage; name: string | null; number: string; agentName: string; body: string; trackingUrl: string }): RenderedMail {
  const t = (key: MailKey, params?: Record<string, string>) => translateMail(m.lang, key, params);
  return render(m.lang, t('mail.reply.subject', { number: m.number }), m.name, [
    { p: t('mail.reply.intro', { agent: m.agentName, number: m.number }) },
    { quote: m.body },
    { p: t('mail.tracking') },
    { link: m.trackingUrl },
    { p: t('mail.reply.answerHint') },
  ]);
}

export interface TranscriptLine {
  who: 'visitor' | 'agent' | 'system';
  name: string | null;
  at: Date;
  body: string;
}

export function transcriptMail(m: { lang: UiLanguage; name: string | null; startedAt: Date; lines: TranscriptLine[] }): RenderedMail {
  const t = (key: MailKey, params?: Record<string, string>) => translateMail(m.lang, key, params);
  const label = (l: TranscriptLine) =>
    l.who === 'visitor' ? t('mail.transcript.you') : l.who === 'system' ? t('mail.transcript.system') : (l.name ?? t('mail.transcript.support'));
  return render(m.lang, t('mail.transcript.subject', { date: formatTime(m.lang, m.startedAt) }), m.name, [
    { p: t('mail.transcript.intro') },
    ...m.lines.map((l): Block => ({ p: `[${formatTime(m.lang, l.at)}] ${label(l)}:\n${l.body}` })),
  ]);
}
