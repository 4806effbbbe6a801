import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type NonAttribute,
  type Sequelize,
} from 'sequelize';
import type { Attachment, Conversation, Message } from '../../../../shared/schemas/chat.js';

export type ConversationStatus = Conversation['status'];
export type ClosedBy = 'visitor' | 'agent' | 'system';

export class ConversationModel extends Model<InferAttributes<ConversationModel>, InferCreationAttributes<ConversationModel>> {
  declare id: string;
  declare visitorId: string;
  declare departmentId: number;
  declare status: ConversationStatus;
  declare channel: CreationOptional<string>;
  declare language: string;
  declare assignedAgentId: number | null;
  declare customerNumber: CreationOptional<string | null>;
  declare ticketRef: CreationOptional<string | null>;
  declare page: CreationOptional<string | null>;
  declare priority: CreationOptional<number>;
  /** When the visitor started waiting; kept when a chat is requeued or transferred. */
  declare waitingSince: Date;
  declare acceptedAt: CreationOptional<Date | null>;
  declare closedBy: CreationOptional<ClosedBy | null>;
  declare visitorReadUpTo: CreationOptional<number>;
  declare agentReadUpTo: CreationOptional<number>;
  declare transcriptEmail: CreationOptional<string | null>;
  declare transcriptRequestedAt: CreationOptional<Date | null>;
  declare transcriptSentAt: CreationOptional<Date | null>;
  /** When the visitor was last offered the choices after the maximum wait (or chose to keep waiting). */
  declare waitChoiceAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare closedAt: Date | null;

  /** The visitor's view. */
  toPublic(agentName: string | null): Conversation {
    return {
      id: this.id,
      departmentId: this.departmentId,
      status: this.status,
      language: this.language,
      channel: this.channel,
      agentName,
      createdAt: this.createdAt.toISOString(),
      closedAt: this.closedAt?.toISOString() ?? null,
      closedBy: this.closedBy ?? null,
      agentReadUpTo: Number(this.agentReadUpTo ?? 0),
    };
  }

  static initialize(sequelize: Sequelize): void {
    this.init(
      {
        id: { type: DataTypes.CHAR(36), primaryKey: true },
        visitorId: { type: DataTypes.CHAR(36), allowNull: false },
        departmentId: { type: DataTypes.INTEGER, allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false },
        channel: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'chat' },
        language: { type: DataTypes.STRING(2), allowNull: false },
        assignedAgentId: { type: DataTypes.INTEGER, allowNull: true },
        customerNumber: { type: DataTypes.STRING(40), allowNull: true },
        ticketRef: { type: DataTypes.STRING(40), allowNull: true },
        page: { type: DataTypes.STRING(2000), allowNull: true },
        priority: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        waitingSince: { type: DataTypes.DATE(3), allowNull: false },
        acceptedAt: { type: DataTypes.DATE(3), allowNull: true },
        closedBy: { type: DataTypes.STRING(16), allowNull: true },
        visitorReadUpTo: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
        agentReadUpTo: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
        transcriptEmail: { type: DataTypes.STRING(254), allowNull: true },
        transcriptRequestedAt: { type: DataTypes.DATE(3), allowNull: true },
        transcriptSentAt: { type: DataTypes.DATE(3), allowNull: true },
        waitChoiceAt: { type: DataTypes.DATE(3), allowNull: true },
        createdAt: DataTypes.DATE(3),
        updatedAt: DataTypes.DATE(3),
        closedAt: { type: DataTypes.DATE(3), allowNull: true },
      },
      { sequelize, tableName: 'conversations', underscored: true },
    );
  }
}

export class AttachmentModel extends Model<InferAttributes<AttachmentModel>, InferCreationAttributes<AttachmentModel>> {
  declare id: string;
  declare conversationId: string;
  declare name: string;
  declare mime: string;
  declare size: number;
  /** File name under the data directory's attachments folder. */
  declare storageKey: string;
  declare uploaderType: 'visitor' | 'agent';
  declare uploaderId: string;
  declare createdAt: CreationOptional<Date>;

  toPublic(): Attachment {
    return { id: this.id, name: this.name, mime: this.mime, size: this.size };
  }

  static initialize(sequelize: Sequelize): void {
    this.init(
      {
        id: { type: DataTypes.CHAR(36), primaryKey: true },
        conversationId: { type: DataTypes.CHAR(36), allowNull: false },
        name: { type: DataTypes.STRING(255), allowNull: false },
        mime: { type: DataTypes.STRING(100), allowNull: false },
        size: { type: DataTypes.INTEGER, allowNull: false },
        storageKey: { type: DataTypes.STRING(100), allowNull: false },
        uploaderType: { type: DataTypes.STRING(16), allowNull: false },
        uploaderId: { type: DataTypes.STRING(36), allowNull: false },
        createdAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'attachments', underscored: true, updatedAt: false },
    );
  }
}

export class MessageModel extends Model<InferAttributes<MessageModel>, InferCreationAttributes<MessageModel>> {
  declare id: CreationOptional<number>;
  declare conversationId: string;
  declare senderType: Message['senderType'];
  /** Visitor uuid or agent id as text; null for system messages. */
  declare senderId: string | null;
  declare senderName: string | null;
  declare clientId: string | null;
  declare body: string;
  declare internal: CreationOptional<boolean>;
  declare attachmentId: CreationOptional<string | null>;
  declare attachment?: NonAttribute<AttachmentModel | null>;
  declare createdAt: CreationOptional<Date>;

  toPublic(): Message {
    return {
      id: Number(this.id),
      conversationId: this.conversationId,
      clientId: this.clientId,
      senderType: this.senderType,
      senderName: this.senderName,
      body: this.body,
      internal: Boolean(this.internal),
      attachment: this.attachment?.toPublic() ?? null,
      createdAt: this.createdAt.toISOString(),
    };
  }

  static initialize(sequelize: Sequelize): void {
    this.init(
      {
        id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
        conversationId: { type: DataTypes.CHAR(36), allowNull: false },
        senderType: { type: DataTypes.STRING(16), allowNull: false },
        senderId: { type: DataTypes.STRING(36), allowNull: true },
        senderName: { type: DataTypes.STRING(120), allowNull: true },
        clientId: { type: DataTypes.STRING(64), allowNull: true },
        body: { type: DataTypes.TEXT, allowNull: false },
        internal: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        attachmentId: { type: DataTypes.CHAR(36), allowNull: true },
        createdAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'messages', underscored: true, updatedAt: false },
    );
  }
}
