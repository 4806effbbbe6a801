import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { CannedResponse } from '../../../../shared/schemas/canned.js';

export class CannedResponseModel extends Model<InferAttributes<CannedResponseModel>, InferCreationAttributes<CannedResponseModel>> {
  declare id: CreationOptional<number>;
  declare departmentId: number | null;
  declare shortcut: string;
  declare title: string;
  declare body: string;
  declare createdBy: number | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  toPublic(): CannedResponse {
    return { id: this.id, departmentId: this.departmentId, shortcut: this.shortcut, title: this.title, body: this.body };
  }

  static initialize(sequelize: Sequelize): void {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        departmentId: { type: DataTypes.INTEGER, allowNull: true },
        shortcut: { type: DataTypes.STRING(32), allowNull: false },
        title: { type: DataTypes.STRING(120), allowNull: false },
        body: { type: DataTypes.TEXT, allowNull: false },
        createdBy: { type: DataTypes.INTEGER, allowNull: true },
        createdAt: DataTypes.DATE(3),
        updatedAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'canned_responses', underscored: true },
    );
  }
}

/** One step in a conversation's history (queued, offered, accepted, …), kept for the timeline. */
export class ConversationEventModel extends Model<InferAttributes<ConversationEventModel>, InferCreationAttributes<ConversationEventModel>> {
  declare id: CreationOptional<number>;
  declare conversationId: string;
  declare type: string;
  declare actorType: 'visitor' | 'agent' | 'system';
  declare actorId: string | null;
  declare data: string | null;
  declare createdAt: CreationOptional<Date>;

  static initialize(sequelize: Sequelize): void {
    this.init(
      {
        id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
        conversationId: { type: DataTypes.CHAR(36), allowNull: false },
        type: { type: DataTypes.STRING(32), allowNull: false },
        actorType: { type: DataTypes.STRING(16), allowNull: false },
        actorId: { type: DataTypes.STRING(36), allowNull: true },
        data: { type: DataTypes.TEXT, allowNull: true },
        createdAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'conversation_events', underscored: true, updatedAt: false },
    );
  }
}
