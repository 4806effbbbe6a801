import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Where each live chat came from (the client's address), so the open chats of one address can be
 * counted and capped (OPEN_CHATS_PER_ADDRESS, docs/limits.md). Rows are personal data and are
 * deleted after a day (server/src/visitors/chatQuota.ts).
 */
export async function up({ context: q }: { context: QueryInterface }): Promise<void> {
  await q.createTable('chat_origins', {
    conversation_id: { type: DataTypes.CHAR(36), allowNull: false, primaryKey: true },
    address: { type: DataTypes.STRING(64), allowNull: false },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await q.addIndex('chat_origins', ['address', 'created_at'], { name: 'chat_origins_address' });
  await q.addIndex('chat_origins', ['created_at'], { name: 'chat_origins_created' });
}

export async function down({ context: q }: { context: QueryInterface }): Promise<void> {
  await q.dropTable('chat_origins');
}
