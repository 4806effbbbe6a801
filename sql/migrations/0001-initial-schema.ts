import { DataTypes, type QueryInterface } from 'sequelize';

const now = { type: DataTypes.DATE(3), allowNull: false };

export async function up({ context: q }: { context: QueryInterface }): Promise<void> {
  await q.createTable('users', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    email: { type: DataTypes.STRING(254), allowNull: false, unique: true },
    name: { type: DataTypes.STRING(120), allowNull: false },
    password_hash: { type: DataTypes.STRING(255), allowNull: false },
    role: { type: DataTypes.STRING(16), allowNull: false },
    languages: { type: DataTypes.TEXT, allowNull: false },
    ui_language: { type: DataTypes.STRING(2), allowNull: false },
    max_chats: { type: DataTypes.INTEGER, allowNull: false },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    created_at: now,
    updated_at: now,
  });

  await q.createTable('departments', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    slug: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    name: { type: DataTypes.STRING(120), allowNull: false },
    languages: { type: DataTypes.TEXT, allowNull: false },
    opening_hours: { type: DataTypes.TEXT, allowNull: true },
    fallback_department_id: {
      type: DataTypes.INTEGER,
      allowNull: true,
      references: { model: 'departments', key: 'id' },
      onDelete: 'SET NULL',
    },
    created_at: now,
    updated_at: now,
  });

  await q.createTable('department_members', {
    user_id: {
      type: DataTypes.INTEGER,
      primaryKey: true,
      references: { model: 'users', key: 'id' },
      onDelete: 'CASCADE',
    },
    department_id: {
      type: DataTypes.INTEGER,
      primaryKey: true,
      references: { model: 'departments', key: 'id' },
      onDelete: 'CASCADE',
    },
    level: { type: DataTypes.STRING(2), allowNull: false },
    max_chats: { type: DataTypes.INTEGER, allowNull: true },
  });
  await q.addIndex('department_members', ['department_id']);

  await q.createTable('visitors', {
    id: { type: DataTypes.CHAR(36), primaryKey: true },
    name: { type: DataTypes.STRING(80), allowNull: true },
    email: { type: DataTypes.STRING(254), allowNull: true },
    language: { type: DataTypes.STRING(2), allowNull: true },
    created_at: now,
    last_seen_at: now,
  });

  await q.createTable('conversations', {
    id: { type: DataTypes.CHAR(36), primaryKey: true },
    visitor_id: { type: DataTypes.CHAR(36), allowNull: false, references: { model: 'visitors', key: 'id' } },
    department_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'departments', key: 'id' } },
    status: { type: DataTypes.STRING(16), allowNull: false },
    channel: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'chat' },
    language: { type: DataTypes.STRING(2), allowNull: false },
    assigned_agent_id: {
      type: DataTypes.INTEGER,
      allowNull: true,
      references: { model: 'users', key: 'id' },
      onDelete: 'SET NULL',
    },
    created_at: now,
    updated_at: now,
    closed_at: { type: DataTypes.DATE(3), allowNull: true },
  });
  await q.addIndex('conversations', ['visitor_id', 'status']);
  await q.addIndex('conversations', ['department_id', 'status']);
  await q.addIndex('conversations', ['assigned_agent_id', 'status']);

  await q.createTable('messages', {
    id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
    conversation_id: {
      type: DataTypes.CHAR(36),
      allowNull: false,
      references: { model: 'conversations', key: 'id' },
      onDelete: 'CASCADE',
    },
    sender_type: { type: DataTypes.STRING(16), allowNull: false },
    sender_id: { type: DataTypes.STRING(36), allowNull: true },
    sender_name: { type: DataTypes.STRING(120), allowNull: true },
    client_id: { type: DataTypes.STRING(64), allowNull: true },
    body: { type: DataTypes.TEXT, allowNull: false },
    created_at: now,
  });
  // Resume reads "messages of a conversation after id N"; the unique key makes retries idempotent.
  await q.addIndex('messages', ['conversation_id', 'id']);
  await q.addIndex('messages', ['conversation_id', 'client_id'], { unique: true, name: 'messages_client_id_unique' });

  await q.createTable('sessions', {
    id: { type: DataTypes.CHAR(64), primaryKey: true },
    user_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
    expires_at: now,
    user_agent: { type: DataTypes.STRING(255), allowNull: true },
    created_at: now,
  });
  await q.addIndex('sessions', ['user_id']);
  await q.addIndex('sessions', ['expires_at']);

  await q.createTable('settings', {
    key: { type: DataTypes.STRING(128), primaryKey: true },
    value: { type: DataTypes.TEXT, allowNull: false },
  });
}

export async function down({ context: q }: { context: QueryInterface }): Promise<void> {
  for (const table of ['settings', 'sessions', 'messages', 'conversations', 'visitors', 'department_members', 'departments', 'users']) {
    await q.dropTable(table);
  }
}
