import type { UiLanguage } from '../schemas/common.js';

/**
 * E-mail texts, German and English (by the visitor's language). Kept apart from the UI
 * dictionaries: no client bundle needs them.
 */
export const enMail = {
  'mail.greeting': 'Hello {name},',
  'mail.greetingNoName': 'Hello,',
  'mail.signature': 'Kind regards\nYour customer service team',
  'mail.created.subject': 'We have received your request {number}',
  'mail.created.body': 'thank you for your message. We have saved it as ticket {number} and will answer as soon as we can.',
  'mail.created.closed': 'We are closed right now; we will answer once we are back.',
  'mail.callback.subject': 'Your callback request {number}',
  'mail.callback.body': 'thank you for your callback request. We will call you back at {phone}.',
  'mail.callback.preferred': 'Your preferred time: {from} – {to}',
  'mail.tracking': 'Follow your request and add to it here:',
  'mail.trackingNote': 'This link is personal: please do not pass it on.',
  'mail.notYou': 'If you did not contact us, someone else gave your address: please ignore this e-mail.',
  'mail.reply.subject': 'New reply to your request {number}',
  'mail.reply.intro': '{agent} has replied to your request {number}:',
  'mail.reply.answerHint': 'To answer, please use the link above rather than replying to this e-mail.',
  'mail.transcript.subject': 'Your chat transcript of {date}',
  'mail.transcript.intro': 'here is the transcript of your chat with our customer service:',
  'mail.transcript.you': 'You',
  'mail.transcript.system': 'Notice',
  'mail.transcript.support': 'Customer service',
} as const;

export type MailKey = keyof typeof enMail;

export const deMail: Record<MailKey, string> = {
  'mail.greeting': 'Guten Tag {name},',
  'mail.greetingNoName': 'Guten Tag,',
  'mail.signature': 'Mit freundlichen Grüßen\nIhr Kundenservice',
  'mail.created.subject': 'Ihre Anfrage {number} ist bei uns eingegangen',
  'mail.created.body': 'vielen Dank für Ihre Nachricht. Wir haben sie als Ticket {number} gespeichert und antworten so bald wie möglich.',
  'mail.created.closed': 'Wir sind gerade nicht erreichbar und antworten, sobald wir wieder da sind.',
  'mail.callback.subject': 'Ihre Rückrufbitte {number}',
  'mail.callback.body': 'vielen Dank für Ihre Rückrufbitte. Wir rufen Sie unter {phone} zurück.',
  'mail.callback.preferred': 'Ihre Wunschzeit: {from} – {to}',
  'mail.tracking': 'Hier sehen Sie den Stand Ihrer Anfrage und können etwas ergänzen:',
  'mail.trackingNote': 'Dieser Link ist persönlich: Bitte geben Sie ihn nicht weiter.',
  'mail.notYou': 'Falls Sie uns nicht geschrieben haben, hat jemand anderes Ihre Adresse angegeben: Bitte ignorieren Sie diese E-Mail.',
  'mail.reply.subject': 'Neue Antwort zu Ihrer Anfrage {number}',
  'mail.reply.intro': '{agent} hat auf Ihre Anfrage {number} geantwortet:',
  'mail.reply.answerHint': 'Antworten Sie bitte über den Link oben und nicht auf diese E-Mail.',
  'mail.transcript.subject': 'Ihr Chatverlauf vom {date}',
  'mail.transcript.intro': 'hier ist der Verlauf Ihres Chats mit unserem Kundenservice:',
  'mail.transcript.you': 'Sie',
  'mail.transcript.system': 'Hinweis',
  'mail.transcript.support': 'Kundenservice',
};

export const mailDictionaries: Record<UiLanguage, Record<MailKey, string>> = { de: deMail, en: enMail };

export function translateMail(lang: UiLanguage, key: MailKey, params: Record<string, string | number> = {}): string {
  return mailDictionaries[lang][key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}
