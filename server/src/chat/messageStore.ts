import { UniqueConstraintError, type InferCreationAttributes } from 'sequelize';
import type { Message } from '../../../shared/schemas/chat.js';
import type { UiLanguage } from '../../../shared/schemas/common.js';
import { translate } from '../../../shared/i18n/index.js';
import type { ServerKey } from '../../../shared/i18n/server.js';
import type { Database } from '../db/database.js';
import type { MessageModel } from '../db/models/index.js';
import { ConflictError } from '../errors/errors.js';

export type NewMessage = Omit<InferCreationAttributes<MessageModel>, 'id' | 'createdAt'>;

/** System messages speak the conversation's language where the UI has it, else English. */
export const uiLanguageOf = (language: string): UiLanguage => (language === 'de' ? 'de' : 'en');

export function createMessageStore(db: Database, now: () => Date) {
  const { Message, Attachment } = db.models;

  const withAttachment = async (row: MessageModel): Promise<Message> => {
    if (row.attachmentId && row.attachment === undefined) {
      row.attachment = await Attachment.findByPk(row.attachmentId);
    }
    return row.toPublic();
  };

  return {
    /** Stores a message once per (conversation, clientId); a retry gets the stored one back. */
    async storeOnce(values: NewMessage): Promise<{ message: Message; duplicate: boolean }> {
      try {
        return { message: await withAttachment(await Message.create({ ...values, createdAt: now() })), duplicate: false };
      } catch (error) {
        if (!(error instanceof UniqueConstraintError)) throw error;
        const existing = await Message.findOne({ where: { conversationId: values.conversationId, clientId: values.clientId } });
        if (!existing || existing.senderType !== values.senderType || existing.senderId !== values.senderId || Boolean(existing.internal) !== Boolean(values.internal)) {
          throw new ConflictError('That client id is already used in this conversation.');
        }
        return { message: await withAttachment(existing), duplicate: true };
      }
    },
    /** A line from zentrale itself ("You are now talking to …"), in the conversation's language. */
    async system(conversationId: string, language: string, key: ServerKey, params: Record<string, string> = {}): Promise<Message> {
      const row = await Message.create({
        conversationId,
        senderType: 'system',
        senderId: null,
        senderName: null,
        clientId: null,
        body: translate(uiLanguageOf(language), key, params),
        internal: false,
        attachmentId: null,
        createdAt: now(),
      });
      return row.toPublic();
    },
  };
}

export type MessageStore = ReturnType<typeof createMessageStore>;
