import type { InferCreationAttributes } from 'sequelize';
import type { Message } from '../../../shared/schemas/chat.js';
import type { UiLanguage } from '../../../shared/schemas/common.js';
import { translate } from '../../../shared/i18n/index.js';
import type { ServerKey } from '../../../shared/i18n/server.js';
import type { MessageModel } from '../db/models/index.js';
import type { Authorize, MessageWriter, WriteResult } from './messageWriter.js';

export type NewMessage = Omit<InferCreationAttributes<MessageModel>, 'id' | 'createdAt'>;

/** System messages speak the conversation's language where the UI has it, else English. */
export const uiLanguageOf = (language: string): UiLanguage => (language === 'de' ? 'de' : 'en');

export function createMessageStore(writer: MessageWriter, now: () => Date) {
  return {
    /**
     * Stores a message once per (conversation, clientId); a retry gets the stored one back.
     * `authorize` decides the sender's right in the storing transaction (see messageWriter).
     */
    storeOnce: (values: NewMessage, authorize?: Authorize): Promise<WriteResult> => writer.write(values, now(), authorize),
    /** A line from zentrale itself ("You are now talking to …"), in the conversation's language. */
    async system(conversationId: string, language: string, key: ServerKey, params: Record<string, string> = {}): Promise<Message> {
      const { message } = await writer.write(
        {
          conversationId,
          senderType: 'system',
          senderId: null,
          senderName: null,
          clientId: null,
          body: translate(uiLanguageOf(language), key, params),
          internal: false,
          attachmentId: null,
        },
        now(),
      );
      return message;
    },
  };
}

export type MessageStore = ReturnType<typeof createMessageStore>;
