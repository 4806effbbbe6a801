import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { isUniqueViolation } from '../db/failures.js';

/**
 * Customer numbers are typed by the visitor (pre-chat form, ticket form) and prove nothing: anyone
 * can type someone else's. A number counts as the visitor's only once it was confirmed for that
 * visitor (today by the agent serving the chat, `customer:verify`); only then are conversations
 * linked by it, and only to others whose number was confirmed as well. The confirmation is kept
 * per visitor and number, so the visitor's later chats with the same number are confirmed too.
 */
export type VerificationMethod = 'agent';

export class CustomerNumberVerificationModel extends Model<InferAttributes<CustomerNumberVerificationModel>, InferCreationAttributes<CustomerNumberVerificationModel>> {
  declare id: CreationOptional<number>;
  declare visitorId: string;
  declare customerNumber: string;
  declare method: VerificationMethod;
  /** The agent who confirmed it. */
  declare verifiedBy: number | null;
  /** The conversation in which it was confirmed. */
  declare conversationId: string | null;
  declare createdAt: Date;

  static initialize(sequelize: Sequelize): void {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        visitorId: { type: DataTypes.CHAR(36), allowNull: false },
        customerNumber: { type: DataTypes.STRING(40), allowNull: false },
        method: { type: DataTypes.STRING(16), allowNull: false },
        verifiedBy: { type: DataTypes.INTEGER, allowNull: true },
        conversationId: { type: DataTypes.CHAR(36), allowNull: true },
        createdAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'customer_number_verifications', underscored: true, updatedAt: false },
    );
  }
}

/** At most this many visitors' conversations are linked by one customer number. */
const VERIFIED_VISITORS_MAX = 200;

const pairKey = (visitorId: string, customerNumber: string) => `${visitorId}\n${customerNumber}`;

export function createCustomerNumbers(sequelize: Sequelize) {
  const Verification = class extends CustomerNumberVerificationModel {};
  Verification.initialize(sequelize);

  return {
    /** Which of these (visitor, number) pairs are confirmed, as a lookup. */
    async verifiedPairs(pairs: Array<{ visitorId: string; customerNumber: string | null }>): Promise<(visitorId: string, customerNumber: string | null) => boolean> {
      const wanted = pairs.filter((p): p is { visitorId: string; customerNumber: string } => p.customerNumber !== null);
      if (wanted.length === 0) return () => false;
      const rows = await Verification.findAll({
        where: { visitorId: [...new Set(wanted.map((p) => p.visitorId))], customerNumber: [...new Set(wanted.map((p) => p.customerNumber))] },
        attributes: ['visitorId', 'customerNumber'],
      });
      const confirmed = new Set(rows.map((r) => pairKey(r.visitorId, r.customerNumber)));
      return (visitorId, customerNumber) => customerNumber !== null && confirmed.has(pairKey(visitorId, customerNumber));
    },

    /**
     * The visitors confirmed for `customerNumber`, when `visitorId` is one of them; else none (an
     * unconfirmed number links nothing).
     */
    async linkedVisitors(visitorId: string, customerNumber: string): Promise<string[]> {
      if ((await Verification.count({ where: { visitorId, customerNumber } })) === 0) return [];
      const rows = await Verification.findAll({ where: { customerNumber }, attributes: ['visitorId'], order: [['id', 'DESC']], limit: VERIFIED_VISITORS_MAX });
      return [...new Set([visitorId, ...rows.map((r) => r.visitorId)])];
    },

    /** Records the confirmation; confirming again changes nothing. True when it is new. */
    async verify(input: { visitorId: string; customerNumber: string; method: VerificationMethod; verifiedBy: number | null; conversationId: string | null; at: Date }): Promise<boolean> {
      const { at, ...row } = input;
      if ((await Verification.count({ where: { visitorId: row.visitorId, customerNumber: row.customerNumber } })) > 0) return false;
      try {
        await Verification.create({ ...row, createdAt: at });
        return true;
      } catch (error) {
        // Confirmed at the same moment in another tab or by another node.
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },
  };
}

export type CustomerNumbers = ReturnType<typeof createCustomerNumbers>;
