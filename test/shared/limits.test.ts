import assert from 'node:assert/strict';
import type { z } from 'zod';
import * as limits from '../../shared/limits.js';
import { cannedResponseBodySchema } from '../../shared/schemas/canned.js';
import { conversationStartSchema, customerVerifySchema, messageSendSchema } from '../../shared/schemas/chat.js';
import { emailSchema } from '../../shared/schemas/common.js';
import { communityAskAgentSchema, communityPostSchema, communityReportSchema, communitySanctionSchema, displayNameSchema } from '../../shared/schemas/community.js';
import {
  callbackRequestSchema,
  slaPolicyBodySchema,
  ticketCommentSchema,
  ticketCreateSchema,
  ticketNoteSchema,
  ticketReplySchema,
  trackingTokenSchema,
} from '../../shared/schemas/tickets.js';
import { voicemailQuerySchema } from '../../shared/schemas/voice.js';

/**
 * The clients check input against shared/limits.ts (they cannot bundle zod); the server checks it
 * with the schemas. These tests hold the two together: a value at each limit passes the schema,
 * one past it fails, and every pattern accepts and refuses what the schema does.
 */

const passes = (schema: z.ZodType, value: unknown): boolean => schema.safeParse(value).success;
const chars = (n: number, c = 'a'): string => c.repeat(n);
/** `at` passes and `over` fails, and both are on either side of `limit` (so the test cannot pass by accident). */
function holdsLimit(schema: z.ZodType, at: unknown, over: unknown, label: string): void {
  assert.equal(passes(schema, at), true, `${label}: the value at the limit must pass`);
  assert.equal(passes(schema, over), false, `${label}: one past the limit must fail`);
}

describe('shared limits and the schemas agree', () => {
  it('message length: chat, tickets, tracking comments', () => {
    const max = limits.MESSAGE_MAX_LENGTH;
    const send = messageSendSchema.shape.text;
    holdsLimit(send, chars(max), chars(max + 1), 'message:send');
    holdsLimit(conversationStartSchema.shape.text, chars(max), chars(max + 1), 'conversation:start');
    holdsLimit(ticketCreateSchema.shape.text, chars(max), chars(max + 1), 'ticket:create');
    holdsLimit(ticketCommentSchema.shape.text, chars(max), chars(max + 1), 'ticket:comment');
    holdsLimit(ticketReplySchema.shape.text, chars(max), chars(max + 1), 'ticket:reply');
    holdsLimit(ticketNoteSchema.shape.text, chars(max), chars(max + 1), 'ticket:note');
    // The limit counts characters after trimming, as the clients do (`text.trim().length`).
    assert.equal(passes(send, ` ${chars(max)} `), true);
  });

  it('name, customer/ticket number, subject, product', () => {
    holdsLimit(conversationStartSchema.shape.name, chars(limits.NAME_MAX_LENGTH), chars(limits.NAME_MAX_LENGTH + 1), 'chat name');
    holdsLimit(ticketCreateSchema.shape.name, chars(limits.NAME_MAX_LENGTH), chars(limits.NAME_MAX_LENGTH + 1), 'ticket name');
    holdsLimit(callbackRequestSchema.shape.name, chars(limits.NAME_MAX_LENGTH), chars(limits.NAME_MAX_LENGTH + 1), 'callback name');
    holdsLimit(voicemailQuerySchema.shape.name, chars(limits.NAME_MAX_LENGTH), chars(limits.NAME_MAX_LENGTH + 1), 'voicemail name');
    const ref = limits.REFERENCE_MAX_LENGTH;
    holdsLimit(conversationStartSchema.shape.customerNumber, chars(ref, '1'), chars(ref + 1, '1'), 'customer number');
    holdsLimit(conversationStartSchema.shape.ticketNumber, chars(ref, '1'), chars(ref + 1, '1'), 'ticket number');
    holdsLimit(ticketCreateSchema.shape.customerNumber, chars(ref, '1'), chars(ref + 1, '1'), 'ticket customer number');
    holdsLimit(customerVerifySchema.shape.customerNumber, chars(ref, '1'), chars(ref + 1, '1'), 'customer:verify');
    holdsLimit(ticketCreateSchema.shape.subject, chars(limits.SUBJECT_MAX_LENGTH), chars(limits.SUBJECT_MAX_LENGTH + 1), 'subject');
    holdsLimit(ticketCreateSchema.shape.product, chars(limits.PRODUCT_MAX_LENGTH), chars(limits.PRODUCT_MAX_LENGTH + 1), 'product');
  });

  it('e-mail: the length limit, and the pattern is never stricter than the schema', () => {
    const domain = '@example.com';
    holdsLimit(emailSchema, chars(limits.EMAIL_MAX_LENGTH - domain.length) + domain, chars(limits.EMAIL_MAX_LENGTH + 1 - domain.length) + domain, 'e-mail length');
    const valid = ['kim@example.com', 'a.b+c@sub.example.de', "o'neil@example.org", 'x_y-z@mail.example.co.uk', 'UPPER@EXAMPLE.COM'];
    for (const address of valid) {
      assert.equal(passes(emailSchema, address), true, `schema takes ${address}`);
      assert.equal(limits.EMAIL_PATTERN.test(address), true, `pattern takes ${address}`);
    }
    // What the pattern refuses, the schema refuses too: the client never blocks an address the server would take.
    const invalid = ['', 'kim', 'kim@', '@example.com', 'kim@example', 'kim @example.com', 'kim@exa mple.com', 'a@b@c.de'];
    for (const address of invalid) {
      assert.equal(limits.EMAIL_PATTERN.test(address), false, `pattern refuses ${address}`);
      assert.equal(passes(emailSchema, address), false, `schema refuses ${address}`);
    }
  });

  it('phone: pattern and digit count', () => {
    const phone = callbackRequestSchema.shape.phone;
    const clientRule = (value: string): boolean => limits.PHONE_PATTERN.test(value) && value.replace(/\D/g, '').length >= limits.PHONE_MIN_DIGITS;
    const samples = ['+49 30 1234567', '030/123-45.6', '12345', '1234', '+49 (30) 12', '1-2-3-4', chars(30, '1'), chars(31, '1'), 'call me', '+49 30 123x'];
    for (const value of samples) assert.equal(clientRule(value), passes(phone, value), `phone ${value}`);
    assert.equal(clientRule('12345'), true);
    assert.equal(clientRule('1234'), false);
  });

  it('tracking token', () => {
    const token = chars(43, 'A');
    holdsLimit(trackingTokenSchema, token, `${token}A`, 'tracking token');
    for (const value of [token, chars(42, 'b'), `${chars(42, 'c')}!`, chars(43, '_')]) {
      assert.equal(limits.TRACKING_TOKEN_PATTERN.test(value), passes(trackingTokenSchema, value), `token ${value}`);
    }
  });

  it('voicemail duration', () => {
    const query = { clientId: 'voicemail-1', conversationId: '4b6f3a4e-2d1c-4c3b-9a8e-1f2e3d4c5b6a' };
    holdsLimit(voicemailQuerySchema, { ...query, durationSeconds: limits.VOICEMAIL_MAX_SECONDS }, { ...query, durationSeconds: limits.VOICEMAIL_MAX_SECONDS + 1 }, 'voicemail');
  });

  it('community: message length, display name, reasons', () => {
    const max = limits.COMMUNITY_MESSAGE_MAX_LENGTH;
    holdsLimit(communityPostSchema.shape.text, chars(max), chars(max + 1), 'community:post');
    holdsLimit(communityAskAgentSchema.shape.text, chars(max), chars(max + 1), 'community:ask-agent');
    holdsLimit(displayNameSchema, chars(limits.DISPLAY_NAME_MAX_LENGTH), chars(limits.DISPLAY_NAME_MAX_LENGTH + 1), 'display name (long)');
    holdsLimit(displayNameSchema, chars(limits.DISPLAY_NAME_MIN_LENGTH), chars(limits.DISPLAY_NAME_MIN_LENGTH - 1), 'display name (short)');
    for (const name of ['Kim', 'Jörg M.', "O'Neil_2", 'Kim!', 'a<b>', 'Ελένη']) {
      assert.equal(limits.DISPLAY_NAME_PATTERN.test(name), passes(displayNameSchema, name), `display name ${name}`);
    }
    holdsLimit(communityReportSchema.shape.reason, chars(limits.REASON_MAX_LENGTH), chars(limits.REASON_MAX_LENGTH + 1), 'report reason');
    holdsLimit(communitySanctionSchema.shape.reason, chars(limits.REASON_MAX_LENGTH), chars(limits.REASON_MAX_LENGTH + 1), 'sanction reason');
  });

  it('canned responses and SLA targets', () => {
    const shape = cannedResponseBodySchema.shape;
    holdsLimit(shape.shortcut, chars(limits.CANNED_SHORTCUT_MAX_LENGTH), chars(limits.CANNED_SHORTCUT_MAX_LENGTH + 1), 'shortcut');
    for (const shortcut of ['gruss', 'ä_1-x', 'two words', 'slash/']) {
      assert.equal(limits.CANNED_SHORTCUT_PATTERN.test(shortcut), passes(shape.shortcut, shortcut), `shortcut ${shortcut}`);
    }
    holdsLimit(shape.title, chars(limits.CANNED_TITLE_MAX_LENGTH), chars(limits.CANNED_TITLE_MAX_LENGTH + 1), 'canned title');
    holdsLimit(shape.body, chars(limits.CANNED_BODY_MAX_LENGTH), chars(limits.CANNED_BODY_MAX_LENGTH + 1), 'canned body');
    holdsLimit(slaPolicyBodySchema.shape.firstResponseMinutes, limits.SLA_MAX_MINUTES, limits.SLA_MAX_MINUTES + 1, 'SLA minutes');
  });

  it('the schemas re-export the very same values the clients import', async () => {
    const chat = await import('../../shared/schemas/chat.js');
    const community = await import('../../shared/schemas/community.js');
    const voice = await import('../../shared/schemas/voice.js');
    const tickets = await import('../../shared/schemas/tickets.js');
    assert.equal(chat.MESSAGE_MAX_LENGTH, limits.MESSAGE_MAX_LENGTH);
    assert.equal(tickets.SUBJECT_MAX_LENGTH, limits.SUBJECT_MAX_LENGTH);
    assert.equal(community.COMMUNITY_MESSAGE_MAX_LENGTH, limits.COMMUNITY_MESSAGE_MAX_LENGTH);
    assert.equal(community.COMMUNITY_MAX_LINKS, limits.COMMUNITY_MAX_LINKS);
    assert.equal(voice.VOICEMAIL_MAX_BYTES, limits.VOICEMAIL_MAX_BYTES);
  });

  it('shared/limits.ts stays free of zod (the widget imports it)', async () => {
    const { readFile } = await import('node:fs/promises');
    const source = await readFile(new URL('../../shared/limits.ts', import.meta.url), 'utf8');
    assert.doesNotMatch(source, /^import /m);
  });
});
