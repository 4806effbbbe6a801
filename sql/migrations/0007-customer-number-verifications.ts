import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Customer numbers confirmed for a visitor (server/src/conversations/customerNumbers.ts). A number
 * typed in a form links nothing until it is confirmed here; conversations are then linked only to
 * other visitors confirmed for the same number.
 */
export async function up({ context: q }: { context: QueryInterface }): Promise<void> {
  await q.createTable('customer_number_verifications', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    visitor_id: { type: DataTypes.CHAR(36), allowNull: false },
    customer_number: { type: DataTypes.STRING(40), allowNull: false },
    // How it was confirmed: 'agent' (the agent serving the chat).
    method: { type: DataTypes.STRING(16), allowNull: false },
    verified_by: { type: DataTypes.INTEGER, allowNull: true },
    conversation_id: { type: DataTypes.CHAR(36), allowNull: true },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await q.addIndex('customer_number_verifications', ['visitor_id', 'customer_number'], { unique: true, name: 'customer_number_verifications_pair' });
  await q.addIndex('customer_number_verifications', ['customer_number', 'id'], { name: 'customer_number_verifications_number' });
}

export async function down({ context: q }: { context: QueryInterface }): Promise<void> {
  await q.dropTable('customer_number_verifications');
}
