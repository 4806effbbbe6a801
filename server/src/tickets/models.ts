import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { SlaState, TicketKind, TicketSource, TicketStatus, TicketUrgency } from '../../../shared/schemas/tickets.js';
import { jsonText } from '../db/json.js';

const time = (allowNull = true) => ({ type: DataTypes.DATE(3), allowNull });

export class TicketModel extends Model<InferAttributes<TicketModel>, InferCreationAttributes<TicketModel>> {
  declare id: CreationOptional<number>;
  declare number: string;
  declare conversationId: string;
  declare visitorId: string;
  declare clientId: string | null;
  declare kind: TicketKind;
  declare source: TicketSource;
  declare status: TicketStatus;
  declare urgency: TicketUrgency;
  declare departmentId: number;
  declare assigneeId: number | null;
  declare name: string | null;
  declare email: string | null;
  declare customerNumber: string | null;
  declare product: string | null;
  declare language: string;
  declare subject: string;
  declare searchText: string;
  declare phone: string | null;
  declare preferredFrom: Date | null;
  declare preferredTo: Date | null;
  declare calledBackAt: CreationOptional<Date | null>;
  declare calledBackBy: CreationOptional<number | null>;
  declare trackingNonce: string;
  declare trackingHash: string;
  declare trackingExpiresAt: Date;
  declare unanswered: CreationOptional<boolean>;
  declare firstResponseDueAt: CreationOptional<Date | null>;
  declare firstResponseWarnAt: CreationOptional<Date | null>;
  declare firstRespondedAt: CreationOptional<Date | null>;
  declare firstResponseSla: CreationOptional<SlaState>;
  declare resolutionDueAt: CreationOptional<Date | null>;
  declare resolutionWarnAt: CreationOptional<Date | null>;
  declare solvedAt: CreationOptional<Date | null>;
  declare resolutionSla: CreationOptional<SlaState>;
  declare closedAt: CreationOptional<Date | null>;
  declare lastActivityAt: Date;
  declare createdAt: Date;
  declare updatedAt: Date;

  static initialize(sequelize: Sequelize): void {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        number: { type: DataTypes.STRING(32), allowNull: false },
        conversationId: { type: DataTypes.CHAR(36), allowNull: false },
        visitorId: { type: DataTypes.CHAR(36), allowNull: false },
        clientId: { type: DataTypes.STRING(64), allowNull: true },
        kind: { type: DataTypes.STRING(16), allowNull: false },
        source: { type: DataTypes.STRING(24), allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false },
        urgency: { type: DataTypes.STRING(24), allowNull: false },
        departmentId: { type: DataTypes.INTEGER, allowNull: false },
        assigneeId: { type: DataTypes.INTEGER, allowNull: true },
        name: { type: DataTypes.STRING(80), allowNull: true },
        email: { type: DataTypes.STRING(254), allowNull: true },
        customerNumber: { type: DataTypes.STRING(40), allowNull: true },
        product: { type: DataTypes.STRING(80), allowNull: true },
        language: { type: DataTypes.STRING(2), allowNull: false },
        subject: { type: DataTypes.STRING(200), allowNull: false },
        searchText: { type: DataTypes.TEXT, allowNull: false },
        phone: { type: DataTypes.STRING(40), allowNull: true },
        preferredFrom: time(),
        preferredTo: time(),
        calledBackAt: time(),
        calledBackBy: { type: DataTypes.INTEGER, allowNull: true },
        trackingNonce: { type: DataTypes.CHAR(32), allowNull: false },
        trackingHash: { type: DataTypes.CHAR(64), allowNull: false },
        trackingExpiresAt: time(false),
        unanswered: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        firstResponseDueAt: time(),
        firstResponseWarnAt: time(),
        firstRespondedAt: time(),
        firstResponseSla: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'none' },
        resolutionDueAt: time(),
        resolutionWarnAt: time(),
        solvedAt: time(),
        resolutionSla: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'none' },
        closedAt: time(),
        lastActivityAt: time(false),
        createdAt: time(false),
        updatedAt: time(false),
      },
      // Timestamps come from the injected clock (tests move it), never from Sequelize's own.
      { sequelize, tableName: 'tickets', underscored: true, timestamps: false },
    );
  }
}

export class TicketEventModel extends Model<InferAttributes<TicketEventModel>, InferCreationAttributes<TicketEventModel>> {
  declare id: CreationOptional<number>;
  declare ticketId: number;
  declare type: string;
  declare actorType: 'visitor' | 'agent' | 'system';
  declare actorId: string | null;
  declare data: string | null;
  declare createdAt: Date;

  static initialize(sequelize: Sequelize): void {
    this.init(
      {
        id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
        ticketId: { type: DataTypes.INTEGER, allowNull: false },
        type: { type: DataTypes.STRING(32), allowNull: false },
        actorType: { type: DataTypes.STRING(16), allowNull: false },
        actorId: { type: DataTypes.STRING(36), allowNull: true },
        data: { type: DataTypes.TEXT, allowNull: true },
        createdAt: time(false),
      },
      { sequelize, tableName: 'ticket_events', underscored: true, timestamps: false },
    );
  }
}

export class SlaPolicyModel extends Model<InferAttributes<SlaPolicyModel>, InferCreationAttributes<SlaPolicyModel>> {
  declare id: CreationOptional<number>;
  declare departmentId: number;
  declare urgency: TicketUrgency;
  declare firstResponseMinutes: number | null;
  declare resolutionMinutes: number | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initialize(sequelize: Sequelize): void {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        departmentId: { type: DataTypes.INTEGER, allowNull: false },
        urgency: { type: DataTypes.STRING(24), allowNull: false },
        firstResponseMinutes: { type: DataTypes.INTEGER, allowNull: true },
        resolutionMinutes: { type: DataTypes.INTEGER, allowNull: true },
        createdAt: DataTypes.DATE(3),
        updatedAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'sla_policies', underscored: true },
    );
  }
}

export class AssignmentRuleModel extends Model<InferAttributes<AssignmentRuleModel>, InferCreationAttributes<AssignmentRuleModel>> {
  declare id: CreationOptional<number>;
  declare position: number;
  declare departmentId: number | null;
  declare keywords: string[];
  declare product: string | null;
  declare language: string | null;
  declare assignToAgentId: number | null;
  declare assignToDepartmentId: number | null;
  declare active: boolean;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initialize(sequelize: Sequelize): void {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        position: { type: DataTypes.INTEGER, allowNull: false },
        departmentId: { type: DataTypes.INTEGER, allowNull: true },
        keywords: jsonText<string[]>('keywords'),
        product: { type: DataTypes.STRING(80), allowNull: true },
        language: { type: DataTypes.STRING(2), allowNull: true },
        assignToAgentId: { type: DataTypes.INTEGER, allowNull: true },
        assignToDepartmentId: { type: DataTypes.INTEGER, allowNull: true },
        active: { type: DataTypes.BOOLEAN, allowNull: false },
        createdAt: DataTypes.DATE(3),
        updatedAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'assignment_rules', underscored: true },
    );
  }
}

export interface TicketModels {
  Ticket: typeof TicketModel;
  TicketEvent: typeof TicketEventModel;
  SlaPolicy: typeof SlaPolicyModel;
  AssignmentRule: typeof AssignmentRuleModel;
}

/** The feature's tables, bound to this Sequelize instance (a fresh subclass each, like db/models). */
export function defineTicketModels(sequelize: Sequelize): TicketModels {
  const models: TicketModels = {
    Ticket: class extends TicketModel {},
    TicketEvent: class extends TicketEventModel {},
    SlaPolicy: class extends SlaPolicyModel {},
    AssignmentRule: class extends AssignmentRuleModel {},
  };
  for (const model of Object.values(models)) model.initialize(sequelize);
  return models;
}
