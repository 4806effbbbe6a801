import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { Conversation, Message } from '../../../../shared/schemas/chat.js';

export type ConversationStatus = Conversation['status'];

export class ConversationModel extends Model<InferAttributes<ConversationModel>, InferCreationAttributes<ConversationModel>> {
  declare id: string;
  declare visitorId: string;
  declare departmentId: number;
  declare status: ConversationStatus;
  declare channel: CreationOptional<string>;
  declare language: string;
  declare assignedAgentId: number | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare closedAt: Date | null;

  toPublic(): Conversation {
    return {
      id: this.id,
      departmentId: this.departmentId,
      status: this.status,
      language: this.language,
      createdAt: this.createdAt.toISOString(),
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
        createdAt: DataTypes.DATE(3),
        updatedAt: DataTypes.DATE(3),
        closedAt: { type: DataTypes.DATE(3), allowNull: true },
      },
      { sequelize, tableName: 'conversations', underscored: true },
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
  declare createdAt: CreationOptional<Date>;

  toPublic(): Message {
    return {
      id: Number(this.id),
      conversationId: this.conversationId,
      clientId: this.clientId,
      senderType: this.senderType,
      senderName: this.senderName,
      body: this.body,
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
        createdAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'messages', underscored: true, updatedAt: false },
    );
  }
}
