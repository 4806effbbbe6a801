import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { ConsultMessage, TransferCancelCause, TransferStatus } from '../../../shared/schemas/transfer.js';

export class TransferModel extends Model<InferAttributes<TransferModel>, InferCreationAttributes<TransferModel>> {
  declare id: string;
  declare conversationId: string;
  declare clientId: string;
  declare kind: 'agent' | 'department';
  declare status: TransferStatus;
  declare fromAgentId: number | null;
  declare toAgentId: number | null;
  declare fromDepartmentId: number;
  declare toDepartmentId: number | null;
  declare requestedBy: number;
  declare note: string;
  declare forced: CreationOptional<boolean>;
  declare declineMessage: CreationOptional<string | null>;
  declare cancelCause: CreationOptional<TransferCancelCause | null>;
  declare expiresAt: Date | null;
  declare resolvedAt: CreationOptional<Date | null>;
  declare createdAt: Date;

  static initialize(sequelize: Sequelize): void {
    this.init(
      {
        id: { type: DataTypes.CHAR(36), primaryKey: true },
        conversationId: { type: DataTypes.CHAR(36), allowNull: false },
        clientId: { type: DataTypes.STRING(64), allowNull: false },
        kind: { type: DataTypes.STRING(16), allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false },
        fromAgentId: { type: DataTypes.INTEGER, allowNull: true },
        toAgentId: { type: DataTypes.INTEGER, allowNull: true },
        fromDepartmentId: { type: DataTypes.INTEGER, allowNull: false },
        toDepartmentId: { type: DataTypes.INTEGER, allowNull: true },
        requestedBy: { type: DataTypes.INTEGER, allowNull: false },
        note: { type: DataTypes.TEXT, allowNull: false },
        forced: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        declineMessage: { type: DataTypes.TEXT, allowNull: true },
        cancelCause: { type: DataTypes.STRING(32), allowNull: true },
        expiresAt: { type: DataTypes.DATE(3), allowNull: true },
        resolvedAt: { type: DataTypes.DATE(3), allowNull: true },
        createdAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'transfers', underscored: true, updatedAt: false },
    );
  }
}

export class ConsultMessageModel extends Model<InferAttributes<ConsultMessageModel>, InferCreationAttributes<ConsultMessageModel>> {
  declare id: CreationOptional<number>;
  declare transferId: string;
  declare conversationId: string;
  declare senderId: number;
  declare senderName: string | null;
  declare clientId: string;
  declare body: string;
  declare createdAt: Date;

  toPublic(): ConsultMessage {
    return {
      id: Number(this.id),
      transferId: this.transferId,
      conversationId: this.conversationId,
      senderId: this.senderId,
      senderName: this.senderName,
      clientId: this.clientId,
      body: this.body,
      createdAt: this.createdAt.toISOString(),
    };
  }

  static initialize(sequelize: Sequelize): void {
    this.init(
      {
        id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
        transferId: { type: DataTypes.CHAR(36), allowNull: false },
        conversationId: { type: DataTypes.CHAR(36), allowNull: false },
        senderId: { type: DataTypes.INTEGER, allowNull: false },
        senderName: { type: DataTypes.STRING(120), allowNull: true },
        clientId: { type: DataTypes.STRING(64), allowNull: false },
        body: { type: DataTypes.TEXT, allowNull: false },
        createdAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'consult_messages', underscored: true, updatedAt: false },
    );
  }
}

export interface TransferModels {
  Transfer: typeof TransferModel;
  ConsultMessage: typeof ConsultMessageModel;
}

/**
 * The feature's own tables, bound to this Sequelize instance the way db/models binds the core
 * ones (a fresh subclass per instance, so two databases can live in one process).
 */
export function defineTransferModels(sequelize: Sequelize): TransferModels {
  const models: TransferModels = {
    Transfer: class extends TransferModel {},
    ConsultMessage: class extends ConsultMessageModel {},
  };
  models.Transfer.initialize(sequelize);
  models.ConsultMessage.initialize(sequelize);
  return models;
}
