import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import type { CommunityMessage, CommunityRoom, CommunitySanction, SanctionKind } from '../../../shared/schemas/community.js';

export class CommunityRoomModel extends Model<InferAttributes<CommunityRoomModel>, InferCreationAttributes<CommunityRoomModel>> {
  declare id: CreationOptional<number>;
  declare slug: string;
  declare name: string;
  declare description: CreationOptional<string>;
  declare position: CreationOptional<number>;
  declare voiceOpen: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;

  toPublic(): CommunityRoom {
    return { id: this.id, slug: this.slug, name: this.name, description: this.description, voiceOpen: Boolean(this.voiceOpen ?? true) };
  }

  static initialize(sequelize: Sequelize): void {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        slug: { type: DataTypes.STRING(64), allowNull: false },
        name: { type: DataTypes.STRING(120), allowNull: false },
        description: { type: DataTypes.STRING(500), allowNull: false, defaultValue: '' },
        position: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        voiceOpen: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        createdAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'community_rooms', underscored: true, updatedAt: false },
    );
  }
}

export class CommunityMessageModel extends Model<InferAttributes<CommunityMessageModel>, InferCreationAttributes<CommunityMessageModel>> {
  declare id: CreationOptional<number>;
  declare roomId: number;
  declare parentId: number | null;
  declare authorType: 'visitor' | 'staff';
  declare authorId: string;
  declare displayName: string;
  declare clientId: string;
  declare body: string;
  declare pinned: CreationOptional<boolean>;
  declare accepted: CreationOptional<boolean>;
  declare replyCount: CreationOptional<number>;
  declare deletedAt: CreationOptional<Date | null>;
  declare deletedBy: CreationOptional<number | null>;
  declare createdAt: Date;

  toPublic(): CommunityMessage {
    const deleted = this.deletedAt !== null && this.deletedAt !== undefined;
    return {
      id: Number(this.id),
      roomId: this.roomId,
      parentId: this.parentId === null ? null : Number(this.parentId),
      author: { visitorId: this.authorType === 'visitor' ? this.authorId : null, displayName: this.displayName, staff: this.authorType === 'staff' },
      body: deleted ? '' : this.body,
      deleted,
      pinned: Boolean(this.pinned),
      accepted: Boolean(this.accepted),
      replyCount: Number(this.replyCount ?? 0),
      createdAt: this.createdAt.toISOString(),
    };
  }

  static initialize(sequelize: Sequelize): void {
    this.init(
      {
        id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
        roomId: { type: DataTypes.INTEGER, allowNull: false },
        parentId: { type: DataTypes.BIGINT, allowNull: true },
        authorType: { type: DataTypes.STRING(16), allowNull: false },
        authorId: { type: DataTypes.STRING(36), allowNull: false },
        displayName: { type: DataTypes.STRING(80), allowNull: false },
        clientId: { type: DataTypes.STRING(64), allowNull: false },
        body: { type: DataTypes.TEXT, allowNull: false },
        pinned: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        accepted: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        replyCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        deletedAt: { type: DataTypes.DATE(3), allowNull: true },
        deletedBy: { type: DataTypes.INTEGER, allowNull: true },
        createdAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'community_messages', underscored: true, updatedAt: false },
    );
  }
}

export class CommunityReportModel extends Model<InferAttributes<CommunityReportModel>, InferCreationAttributes<CommunityReportModel>> {
  declare id: CreationOptional<number>;
  declare messageId: number;
  declare reporterId: string;
  declare reason: string | null;
  declare status: 'open' | 'dismissed' | 'actioned';
  declare resolvedBy: CreationOptional<number | null>;
  declare resolvedAt: CreationOptional<Date | null>;
  declare createdAt: Date;

  static initialize(sequelize: Sequelize): void {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        messageId: { type: DataTypes.BIGINT, allowNull: false },
        reporterId: { type: DataTypes.CHAR(36), allowNull: false },
        reason: { type: DataTypes.STRING(500), allowNull: true },
        status: { type: DataTypes.STRING(16), allowNull: false },
        resolvedBy: { type: DataTypes.INTEGER, allowNull: true },
        resolvedAt: { type: DataTypes.DATE(3), allowNull: true },
        createdAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'community_reports', underscored: true, updatedAt: false },
    );
  }
}

export class CommunitySanctionModel extends Model<InferAttributes<CommunitySanctionModel>, InferCreationAttributes<CommunitySanctionModel>> {
  declare id: CreationOptional<number>;
  declare visitorId: string;
  declare ipHash: string | null;
  declare kind: SanctionKind;
  declare until: Date;
  declare reason: string | null;
  declare createdBy: number;
  declare liftedAt: CreationOptional<Date | null>;
  declare createdAt: Date;

  toPublic(): CommunitySanction {
    return { id: this.id, visitorId: this.visitorId, kind: this.kind, until: this.until.toISOString(), reason: this.reason };
  }

  static initialize(sequelize: Sequelize): void {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        visitorId: { type: DataTypes.CHAR(36), allowNull: false },
        ipHash: { type: DataTypes.STRING(64), allowNull: true },
        kind: { type: DataTypes.STRING(8), allowNull: false },
        until: { type: DataTypes.DATE(3), allowNull: false },
        reason: { type: DataTypes.STRING(500), allowNull: true },
        createdBy: { type: DataTypes.INTEGER, allowNull: false },
        liftedAt: { type: DataTypes.DATE(3), allowNull: true },
        createdAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'community_sanctions', underscored: true, updatedAt: false },
    );
  }
}

export class CommunityProfileModel extends Model<InferAttributes<CommunityProfileModel>, InferCreationAttributes<CommunityProfileModel>> {
  declare visitorId: string;
  declare displayName: string;
  declare lastIpHash: string | null;
  declare createdAt: Date;
  declare updatedAt: Date;

  static initialize(sequelize: Sequelize): void {
    this.init(
      {
        visitorId: { type: DataTypes.CHAR(36), primaryKey: true },
        displayName: { type: DataTypes.STRING(80), allowNull: false },
        lastIpHash: { type: DataTypes.STRING(64), allowNull: true },
        createdAt: DataTypes.DATE(3),
        updatedAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'community_profiles', underscored: true },
    );
  }
}

export interface CommunityModels {
  Room: typeof CommunityRoomModel;
  Message: typeof CommunityMessageModel;
  Report: typeof CommunityReportModel;
  Sanction: typeof CommunitySanctionModel;
  Profile: typeof CommunityProfileModel;
}

/** The feature's tables, bound to this Sequelize instance (a fresh subclass per instance). */
export function defineCommunityModels(sequelize: Sequelize): CommunityModels {
  const models: CommunityModels = {
    Room: class extends CommunityRoomModel {},
    Message: class extends CommunityMessageModel {},
    Report: class extends CommunityReportModel {},
    Sanction: class extends CommunitySanctionModel {},
    Profile: class extends CommunityProfileModel {},
  };
  for (const model of Object.values(models)) model.initialize(sequelize);
  return models;
}
