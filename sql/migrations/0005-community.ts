import { DataTypes, type QueryInterface } from 'sequelize';

const time = (allowNull = true) => ({ type: DataTypes.DATE(3), allowNull });

/** The community: topic rooms, messages with threads, reports, sanctions, display names. */
export async function up({ context: q }: { context: QueryInterface }): Promise<void> {
  await q.createTable('community_rooms', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    slug: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    name: { type: DataTypes.STRING(120), allowNull: false },
    description: { type: DataTypes.STRING(500), allowNull: false, defaultValue: '' },
    position: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    // Staff can close a room's voice (and open it again).
    voice_open: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    created_at: time(false),
  });
  await q.createTable('community_messages', {
    id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
    room_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'community_rooms', key: 'id' }, onDelete: 'CASCADE' },
    parent_id: { type: DataTypes.BIGINT, allowNull: true },
    author_type: { type: DataTypes.STRING(16), allowNull: false },
    // A visitor id or a user id (as text): with client_id, what makes a retried post idempotent.
    author_id: { type: DataTypes.STRING(36), allowNull: false },
    display_name: { type: DataTypes.STRING(80), allowNull: false },
    client_id: { type: DataTypes.STRING(64), allowNull: false },
    // Kept after a deletion (for the record); views show deleted messages empty.
    body: { type: DataTypes.TEXT, allowNull: false },
    pinned: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    accepted: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    reply_count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    deleted_at: time(),
    deleted_by: { type: DataTypes.INTEGER, allowNull: true },
    created_at: time(false),
  });
  await q.addIndex('community_messages', ['author_type', 'author_id', 'client_id'], { unique: true, name: 'community_messages_author_client' });
  await q.addIndex('community_messages', ['room_id', 'parent_id', 'id'], { name: 'community_messages_room_thread' });
  await q.addIndex('community_messages', ['parent_id', 'id'], { name: 'community_messages_parent' });

  await q.createTable('community_reports', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    message_id: { type: DataTypes.BIGINT, allowNull: false, references: { model: 'community_messages', key: 'id' }, onDelete: 'CASCADE' },
    reporter_id: { type: DataTypes.CHAR(36), allowNull: false },
    reason: { type: DataTypes.STRING(500), allowNull: true },
    status: { type: DataTypes.STRING(16), allowNull: false },
    resolved_by: { type: DataTypes.INTEGER, allowNull: true },
    resolved_at: time(),
    created_at: time(false),
  });
  await q.addIndex('community_reports', ['message_id', 'reporter_id'], { unique: true, name: 'community_reports_once' });
  await q.addIndex('community_reports', ['status'], { name: 'community_reports_status' });

  await q.createTable('community_sanctions', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    visitor_id: { type: DataTypes.CHAR(36), allowNull: false },
    // A ban also holds for the address the visitor last used (a keyed hash, never the address itself).
    ip_hash: { type: DataTypes.STRING(64), allowNull: true },
    kind: { type: DataTypes.STRING(8), allowNull: false },
    until: time(false),
    reason: { type: DataTypes.STRING(500), allowNull: true },
    created_by: { type: DataTypes.INTEGER, allowNull: false },
    lifted_at: time(),
    created_at: time(false),
  });
  await q.addIndex('community_sanctions', ['visitor_id'], { name: 'community_sanctions_visitor' });
  await q.addIndex('community_sanctions', ['ip_hash'], { name: 'community_sanctions_ip' });

  await q.createTable('community_profiles', {
    visitor_id: { type: DataTypes.CHAR(36), primaryKey: true },
    display_name: { type: DataTypes.STRING(80), allowNull: false },
    last_ip_hash: { type: DataTypes.STRING(64), allowNull: true },
    // Visitors who had their name before a ban are not caught by its address part.
    created_at: time(false),
    updated_at: time(false),
  });
}

export async function down({ context: q }: { context: QueryInterface }): Promise<void> {
  await q.dropTable('community_profiles');
  await q.dropTable('community_sanctions');
  await q.dropTable('community_reports');
  await q.dropTable('community_messages');
  await q.dropTable('community_rooms');
}
