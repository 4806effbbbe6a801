import { DataTypes, type QueryInterface } from 'sequelize';

/** Transfers between agents and departments, and the private consult thread of a warm transfer. */
export async function up({ context: q }: { context: QueryInterface }): Promise<void> {
  await q.createTable('transfers', {
    id: { type: DataTypes.CHAR(36), primaryKey: true },
    conversation_id: {
      type: DataTypes.CHAR(36),
      allowNull: false,
      references: { model: 'conversations', key: 'id' },
      onDelete: 'CASCADE',
    },
    // A retried request finds the transfer it made the first time.
    client_id: { type: DataTypes.STRING(64), allowNull: false },
    kind: { type: DataTypes.STRING(16), allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false },
    from_agent_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'users', key: 'id' }, onDelete: 'SET NULL' },
    to_agent_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'users', key: 'id' }, onDelete: 'SET NULL' },
    from_department_id: { type: DataTypes.INTEGER, allowNull: false },
    to_department_id: { type: DataTypes.INTEGER, allowNull: true },
    requested_by: { type: DataTypes.INTEGER, allowNull: false },
    note: { type: DataTypes.TEXT, allowNull: false },
    forced: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    decline_message: { type: DataTypes.TEXT, allowNull: true },
    cancel_cause: { type: DataTypes.STRING(32), allowNull: true },
    expires_at: { type: DataTypes.DATE(3), allowNull: true },
    resolved_at: { type: DataTypes.DATE(3), allowNull: true },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await q.addIndex('transfers', ['conversation_id', 'client_id'], { unique: true, name: 'transfers_conversation_client' });
  await q.addIndex('transfers', ['status']);

  await q.createTable('consult_messages', {
    id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
    transfer_id: {
      type: DataTypes.CHAR(36),
      allowNull: false,
      references: { model: 'transfers', key: 'id' },
      onDelete: 'CASCADE',
    },
    conversation_id: { type: DataTypes.CHAR(36), allowNull: false },
    sender_id: { type: DataTypes.INTEGER, allowNull: false },
    sender_name: { type: DataTypes.STRING(120), allowNull: true },
    client_id: { type: DataTypes.STRING(64), allowNull: false },
    body: { type: DataTypes.TEXT, allowNull: false },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await q.addIndex('consult_messages', ['transfer_id', 'client_id'], { unique: true, name: 'consult_messages_transfer_client' });
}

export async function down({ context: q }: { context: QueryInterface }): Promise<void> {
  await q.dropTable('consult_messages');
  await q.dropTable('transfers');
}
