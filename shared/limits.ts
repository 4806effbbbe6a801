/**
 * Limits of what people type, in one place and without zod: the zod schemas in shared/schemas
 * build on these numbers and patterns, and the browser clients check input against them before
 * asking the server (the widget, the tracking page and the community page must not bundle zod, so
 * they cannot import the schemas). test/shared/limits.test.ts holds the schemas to these values.
 */

/** A chat message, ticket reply, comment or note (characters after trimming). */
export const MESSAGE_MAX_LENGTH = 4000;
/** A visitor's name in the pre-chat, ticket and callback forms. */
export const NAME_MAX_LENGTH = 80;
/** Customer number and ticket number a visitor may give. */
export const REFERENCE_MAX_LENGTH = 40;
/** A ticket's subject. */
export const SUBJECT_MAX_LENGTH = 200;
/** A product a ticket or assignment rule names. */
export const PRODUCT_MAX_LENGTH = 80;

/** Longest e-mail address (RFC 5321 path limit). */
export const EMAIL_MAX_LENGTH = 254;
/**
 * A plausibility check for e-mail addresses, never stricter than the schemas' `z.email()`: the
 * client flags obvious typos at once, and the server has the last word.
 */
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A phone number for a callback: digits, spaces and ( ) / . - with an optional leading +. */
export const PHONE_PATTERN = /^\+?[0-9 ()/.-]{5,30}$/;
/** ... with at least this many digits. */
export const PHONE_MIN_DIGITS = 5;

/** Tracking tokens are 43 characters of base64url. */
export const TRACKING_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A voicemail is at most this long and this large (Opus in WebM or Ogg, as MediaRecorder records it). */
export const VOICEMAIL_MAX_SECONDS = 120;
export const VOICEMAIL_MAX_BYTES = 2 * 1024 * 1024;

/** A community post or the note a visitor adds when asking an agent. */
export const COMMUNITY_MESSAGE_MAX_LENGTH = 2000;
/** More links than this in one community message are refused (spam). */
export const COMMUNITY_MAX_LINKS = 2;
/** Messages per community history page. */
export const COMMUNITY_PAGE_SIZE = 50;
/** A community display name: 2-40 letters, digits, spaces and a few marks. */
export const DISPLAY_NAME_MIN_LENGTH = 2;
export const DISPLAY_NAME_MAX_LENGTH = 40;
export const DISPLAY_NAME_PATTERN = /^[\p{L}\p{N} ._'-]+$/u;
/** The reason given with a community report or a sanction. */
export const REASON_MAX_LENGTH = 500;

/** Canned responses: the shortcut typed after "/", the title and the text. */
export const CANNED_SHORTCUT_MAX_LENGTH = 32;
export const CANNED_SHORTCUT_PATTERN = /^[\p{L}\p{N}_-]+$/u;
export const CANNED_TITLE_MAX_LENGTH = 120;
export const CANNED_BODY_MAX_LENGTH = 4000;

/** SLA targets in minutes: at most a year. */
export const SLA_MAX_MINUTES = 525_600;
