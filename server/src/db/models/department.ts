import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { Level } from '../../../../shared/schemas/common.js';
import type { OpeningHours } from '../../../../shared/schemas/departments.js';
import type { RoutingConfig, RoutingStrategy } from '../../../../shared/schemas/routing.js';
import { jsonText } from '../json.js';

export class DepartmentModel extends Model<InferAttributes<DepartmentModel>, InferCreationAttributes<DepartmentModel>> {
  declare id: CreationOptional<number>;
  declare slug: string;
  declare name: string;
  declare languages: string[];
  /** null: open around the clock. */
  declare openingHours: OpeningHours;
  declare fallbackDepartmentId: number | null;
  declare routingStrategy: CreationOptional<RoutingStrategy>;
  declare maxWaitSeconds: CreationOptional<number>;
  declare offerTimeoutSeconds: CreationOptional<number>;
  declare wrapUpSeconds: CreationOptional<number>;
  declare widenL2AfterSeconds: CreationOptional<number | null>;
  declare widenL3AfterSeconds: CreationOptional<number | null>;
  declare fallbackLanguage: CreationOptional<string | null>;
  declare fallbackLanguageAfterSeconds: CreationOptional<number | null>;
  declare softLimitSeconds: CreationOptional<number | null>;
  declare offlineFallback: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  routing(): RoutingConfig {
    return {
      strategy: this.routingStrategy,
      maxWaitSeconds: this.maxWaitSeconds,
      offerTimeoutSeconds: this.offerTimeoutSeconds,
      wrapUpSeconds: this.wrapUpSeconds,
      widenToL2AfterSeconds: this.widenL2AfterSeconds ?? null,
      widenToL3AfterSeconds: this.widenL3AfterSeconds ?? null,
      fallbackLanguage: this.fallbackLanguage ?? null,
      fallbackLanguageAfterSeconds: this.fallbackLanguageAfterSeconds ?? null,
      softLimitSeconds: this.softLimitSeconds ?? null,
      offlineFallback: Boolean(this.offlineFallback ?? true),
    };
  }

  static initialize(sequelize: Sequelize): void {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        slug: { type: DataTypes.STRING(64), allowNull: false, unique: true },
        name: { type: DataTypes.STRING(120), allowNull: false },
        languages: jsonText<string[]>('languages'),
        openingHours: jsonText<OpeningHours>('openingHours', true),
        fallbackDepartmentId: { type: DataTypes.INTEGER, allowNull: true },
        routingStrategy: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'least_busy' },
        maxWaitSeconds: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 600 },
        offerTimeoutSeconds: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 30 },
        wrapUpSeconds: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 15 },
        widenL2AfterSeconds: { type: DataTypes.INTEGER, allowNull: true, field: 'widen_l2_after_seconds' },
        widenL3AfterSeconds: { type: DataTypes.INTEGER, allowNull: true, field: 'widen_l3_after_seconds' },
        fallbackLanguage: { type: DataTypes.STRING(2), allowNull: true },
        fallbackLanguageAfterSeconds: { type: DataTypes.INTEGER, allowNull: true },
        softLimitSeconds: { type: DataTypes.INTEGER, allowNull: true },
        offlineFallback: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        createdAt: DataTypes.DATE(3),
        updatedAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'departments', underscored: true },
    );
  }
}

export class DepartmentMemberModel extends Model<
  InferAttributes<DepartmentMemberModel>,
  InferCreationAttributes<DepartmentMemberModel>
> {
  declare userId: ForeignKey<number>;
  declare departmentId: ForeignKey<number>;
  declare level: Level;
  /** Overrides the user's global maximum for chats of this department. */
  declare maxChats: number | null;

  static initialize(sequelize: Sequelize): void {
    this.init(
      {
        userId: { type: DataTypes.INTEGER, primaryKey: true },
        departmentId: { type: DataTypes.INTEGER, primaryKey: true },
        level: { type: DataTypes.STRING(2), allowNull: false },
        maxChats: { type: DataTypes.INTEGER, allowNull: true },
      },
      { sequelize, tableName: 'department_members', underscored: true, timestamps: false },
    );
  }
}
