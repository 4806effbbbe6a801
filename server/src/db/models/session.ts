import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** A signed-in console session. Only the SHA-256 of the cookie value is stored. */
export class SessionModel extends Model<InferAttributes<SessionModel>, InferCreationAttributes<SessionModel>> {
  declare id: string;
  declare userId: number;
  declare expiresAt: Date;
  declare userAgent: string | null;
  declare createdAt: CreationOptional<Date>;

  static initialize(sequelize: Sequelize): void {
    this.init(
      {
        id: { type: DataTypes.CHAR(64), primaryKey: true },
        userId: { type: DataTypes.INTEGER, allowNull: false },
        expiresAt: { type: DataTypes.DATE(3), allowNull: false },
        userAgent: { type: DataTypes.STRING(255), allowNull: true },
        createdAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'sessions', underscored: true, updatedAt: false },
    );
  }
}

/** Small key/value facts of the installation (e.g. the first-start setup token's hash). */
export class SettingModel extends Model<InferAttributes<SettingModel>, InferCreationAttributes<SettingModel>> {
  declare key: string;
  declare value: string;

  static initialize(sequelize: Sequelize): void {
    this.init(
      {
        key: { type: DataTypes.STRING(128), primaryKey: true },
        value: { type: DataTypes.TEXT, allowNull: false },
      },
      { sequelize, tableName: 'settings', underscored: true, timestamps: false },
    );
  }
}
