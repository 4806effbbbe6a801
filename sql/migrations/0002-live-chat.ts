import { DataTypes, type QueryInterface } from 'sequelize';

/** Live chat: routing configuration, presence, visitor context, notes, attachments, canned responses, history. */
export async function up({ context: q }: { context: QueryInterface }): Promise<void> {
  const departmentColumns = {
    routing_strategy: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'least_busy' },
    max_wait_seconds: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 600 },
    offer_timeout_seconds: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 30 },
    wrap_up_seconds: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 15 },
    widen_l2_after_seconds: { type: DataTypes.INTEGER, allowNull: true },
    widen_l3_after_seconds: { type: DataTypes.INTEGER, allowNull: true },
    fallback_language: { type: DataTypes.STRING(2), allowNull: true },
    fallback_language_after_seconds: { type: DataTypes.INTEGER, allowNull: true },
    soft_limit_seconds: { type: DataTypes.INTEGER, allowNull: true },
  };
  for (const [name, spec] of Object.entries(departmentColumns)) await q.addColumn('departments', name, spec);

  await q.addColumn('users', 'auto_accept', { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false });
  // The status an agent last chose, so a server restart does not silently log everyone off.
  await q.addColumn('users', 'presence_status', { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'offline' });
  await q.addColumn('users', 'presence_reason', { type: DataTypes.STRING(16), allowNull: true });

  await q.addColumn('visitors', 'customer_number', { type: DataTypes.STRING(40), allowNull: true });
  await q.addIndex('visitors', ['customer_number']);

  const conversationColumns = {
    customer_number: { type: DataTypes.STRING(40), allowNull: true },
    ticket_ref: { type: DataTypes.STRING(40), allowNull: true },
    page: { type: DataTypes.STRING(2000), allowNull: true },
    priority: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    waiting_since: { type: DataTypes.DATE(3), allowNull: true },
    accepted_at: { type: DataTypes.DATE(3), allowNull: true },
    closed_by: { type: DataTypes.STRING(16), allowNull: true },
    visitor_read_up_to: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
    agent_read_up_to: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
    transcript_email: { type: DataTypes.STRING(254), allowNull: true },
    transcript_requested_at: { type: DataTypes.DATE(3), allowNull: true },
  };
  for (const [name, spec] of Object.entries(conversationColumns)) await q.addColumn('conversations', name, spec);
  await q.addIndex('conversations', ['customer_number']);
  await q.addIndex('conversations', ['department_id', 'closed_at']);

  await q.addColumn('messages', 'internal', { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false });
  await q.addColumn('messages', 'attachment_id', { type: DataTypes.CHAR(36), allowNull: true });

  await q.createTable('attachments', {
    id: { type: DataTypes.CHAR(36), primaryKey: true },
    conversation_id: {
      type: DataTypes.CHAR(36),
      allowNull: false,
      references: { model: 'conversations', key: 'id' },
      onDelete: 'CASCADE',
    },
    name: { type: DataTypes.STRING(255), allowNull: false },
    mime: { type: DataTypes.STRING(100), allowNull: false },
    size: { type: DataTypes.INTEGER, allowNull: false },
    storage_key: { type: DataTypes.STRING(100), allowNull: false },
    uploader_type: { type: DataTypes.STRING(16), allowNull: false },
    uploader_id: { type: DataTypes.STRING(36), allowNull: false },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await q.addIndex('attachments', ['conversation_id']);

  await q.createTable('canned_responses', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    department_id: {
      type: DataTypes.INTEGER,
      allowNull: true,
      references: { model: 'departments', key: 'id' },
      onDelete: 'CASCADE',
    },
    shortcut: { type: DataTypes.STRING(32), allowNull: false },
    title: { type: DataTypes.STRING(120), allowNull: false },
    body: { type: DataTypes.TEXT, allowNull: false },
    created_by: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'users', key: 'id' }, onDelete: 'SET NULL' },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
    updated_at: { type: DataTypes.DATE(3), allowNull: false },
  });

  await q.createTable('conversation_events', {
    id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
    conversation_id: {
      type: DataTypes.CHAR(36),
      allowNull: false,
      references: { model: 'conversations', key: 'id' },
      onDelete: 'CASCADE',
    },
    type: { type: DataTypes.STRING(32), allowNull: false },
    actor_type: { type: DataTypes.STRING(16), allowNull: false },
    actor_id: { type: DataTypes.STRING(36), allowNull: true },
    data: { type: DataTypes.TEXT, allowNull: true },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await q.addIndex('conversation_events', ['conversation_id', 'id']);
}

export async function down({ context: q }: { context: QueryInterface }): Promise<void> {
  await q.dropTable('conversation_events');
  await q.dropTable('canned_responses');
  await q.dropTable('attachments');
  await q.removeColumn('messages', 'attachment_id');
  await q.removeColumn('messages', 'internal');
  for (const c of ['customer_number', 'ticket_ref', 'page', 'priority', 'waiting_since', 'accepted_at', 'closed_by', 'visitor_read_up_to', 'agent_read_up_to', 'transcript_email', 'transcript_requested_at']) {
    await q.removeColumn('conversations', c);
  }
  await q.removeColumn('visitors', 'customer_number');
  for (const c of ['auto_accept', 'presence_status', 'presence_reason']) await q.removeColumn('users', c);
  for (const c of ['routing_strategy', 'max_wait_seconds', 'offer_timeout_seconds', 'wrap_up_seconds', 'widen_l2_after_seconds', 'widen_l3_after_seconds', 'fallback_language', 'fallback_language_after_seconds', 'soft_limit_seconds']) {
    await q.removeColumn('departments', c);
  }
}
