import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { Role, UiLanguage } from '../../../../shared/schemas/common.js';
import type { User } from '../../../../shared/schemas/auth.js';
import type { AgentStatus, AwayReason } from '../../../../shared/schemas/presence.js';
import { jsonText } from '../json.js';

export class UserModel extends Model<InferAttributes<UserModel>, InferCreationAttributes<UserModel>> {
  declare id: CreationOptional<number>;
  declare email: string;
  declare name: string;
  declare passwordHash: string;
  declare role: Role;
  declare languages: string[];
  declare uiLanguage: UiLanguage;
  declare maxChats: number;
  declare active: CreationOptional<boolean>;
  declare autoAccept: CreationOptional<boolean>;
  declare presenceStatus: CreationOptional<AgentStatus>;
  declare presenceReason: CreationOptional<AwayReason | null>;
  /** Takes over this user's tickets while they are away or offline. */
  declare substituteId: CreationOptional<number | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  toPublic(): User {
    return {
      id: this.id,
      email: this.email,
      name: this.name,
      role: this.role,
      languages: this.languages,
      uiLanguage: this.uiLanguage,
      maxChats: this.maxChats,
      autoAccept: Boolean(this.autoAccept),
    };
  }

  static initialize(sequelize: Sequelize): void {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        email: { type: DataTypes.STRING(254), allowNull: false, unique: true },
        name: { type: DataTypes.STRING(120), allowNull: false },
        passwordHash: { type: DataTypes.STRING(255), allowNull: false },
        role: { type: DataTypes.STRING(16), allowNull: false },
        languages: jsonText<string[]>('languages'),
        uiLanguage: { type: DataTypes.STRING(2), allowNull: false },
        maxChats: { type: DataTypes.INTEGER, allowNull: false },
        active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        autoAccept: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        presenceStatus: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'offline' },
        presenceReason: { type: DataTypes.STRING(16), allowNull: true },
        substituteId: { type: DataTypes.INTEGER, allowNull: true },
        createdAt: DataTypes.DATE(3),
        updatedAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'users', underscored: true },
    );
  }
}
