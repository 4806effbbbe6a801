import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

export class VisitorModel extends Model<InferAttributes<VisitorModel>, InferCreationAttributes<VisitorModel>> {
  declare id: string;
  declare name: string | null;
  declare email: string | null;
  declare language: string | null;
  declare customerNumber: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare lastSeenAt: Date;

  static initialize(sequelize: Sequelize): void {
    this.init(
      {
        id: { type: DataTypes.CHAR(36), primaryKey: true },
        name: { type: DataTypes.STRING(80), allowNull: true },
        email: { type: DataTypes.STRING(254), allowNull: true },
        language: { type: DataTypes.STRING(2), allowNull: true },
        customerNumber: { type: DataTypes.STRING(40), allowNull: true },
        createdAt: DataTypes.DATE(3),
        lastSeenAt: { type: DataTypes.DATE(3), allowNull: false },
      },
      { sequelize, tableName: 'visitors', underscored: true, updatedAt: false },
    );
  }
}
