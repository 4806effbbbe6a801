import { DataTypes, type QueryInterface } from 'sequelize';

const time = (allowNull = true) => ({ type: DataTypes.DATE(3), allowNull });

/**
 * Tickets (offline fallback): the ticket table continues a conversation's thread; numbering by a
 * per-year counter row; SLA policies, assignment rules, substitutes; the mail outbox; full-text
 * search (a FULLTEXT index on MySQL/MariaDB, an FTS5 table kept in sync by triggers on SQLite).
 */
export async function up({ context: q }: { context: QueryInterface }): Promise<void> {
  const dialect = q.sequelize.getDialect();

  await q.addColumn('departments', 'offline_fallback', { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true });
  await q.addColumn('users', 'substitute_id', { type: DataTypes.INTEGER, allowNull: true, references: { model: 'users', key: 'id' }, onDelete: 'SET NULL' });
  // When the visitor was last offered the choices after the maximum wait (or chose to keep waiting).
  await q.addColumn('conversations', 'wait_choice_at', time());
  await q.addColumn('conversations', 'transcript_sent_at', time());

  // One row per year (period); the row lock serialises numbering across nodes (see tickets/numbering.ts).
  await q.createTable('ticket_counters', {
    period: { type: DataTypes.INTEGER, primaryKey: true },
    value: { type: DataTypes.INTEGER, allowNull: false },
  });

  await q.createTable('tickets', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    number: { type: DataTypes.STRING(32), allowNull: false, unique: true },
    conversation_id: { type: DataTypes.CHAR(36), allowNull: false, unique: true, references: { model: 'conversations', key: 'id' }, onDelete: 'CASCADE' },
    visitor_id: { type: DataTypes.CHAR(36), allowNull: false },
    // A retried request (same visitor, same client id) finds the ticket it made.
    client_id: { type: DataTypes.STRING(64), allowNull: true },
    kind: { type: DataTypes.STRING(16), allowNull: false },
    source: { type: DataTypes.STRING(24), allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false },
    urgency: { type: DataTypes.STRING(24), allowNull: false },
    department_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'departments', key: 'id' } },
    assignee_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'users', key: 'id' }, onDelete: 'SET NULL' },
    name: { type: DataTypes.STRING(80), allowNull: true },
    email: { type: DataTypes.STRING(254), allowNull: true },
    customer_number: { type: DataTypes.STRING(40), allowNull: true },
    product: { type: DataTypes.STRING(80), allowNull: true },
    language: { type: DataTypes.STRING(2), allowNull: false },
    subject: { type: DataTypes.STRING(200), allowNull: false },
    // What similar-ticket search looks at: the subject and the visitor's words.
    search_text: { type: DataTypes.TEXT, allowNull: false },
    phone: { type: DataTypes.STRING(40), allowNull: true },
    preferred_from: time(),
    preferred_to: time(),
    called_back_at: time(),
    called_back_by: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'users', key: 'id' }, onDelete: 'SET NULL' },
    // The token is an HMAC of this nonce under SECRET_KEY (so reply mails can carry the link again);
    // the database keeps only the nonce and the token's SHA-256, like sessions.
    tracking_nonce: { type: DataTypes.CHAR(32), allowNull: false },
    tracking_hash: { type: DataTypes.CHAR(64), allowNull: false, unique: true },
    tracking_expires_at: time(false),
    unanswered: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    first_response_due_at: time(),
    first_response_warn_at: time(),
    first_responded_at: time(),
    first_response_sla: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'none' },
    resolution_due_at: time(),
    resolution_warn_at: time(),
    solved_at: time(),
    resolution_sla: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'none' },
    closed_at: time(),
    last_activity_at: time(false),
    created_at: time(false),
    updated_at: time(false),
  });
  await q.addIndex('tickets', ['visitor_id', 'client_id'], { unique: true, name: 'tickets_visitor_client' });
  await q.addIndex('tickets', ['status', 'department_id']);
  await q.addIndex('tickets', ['assignee_id', 'status']);
  await q.addIndex('tickets', ['customer_number']);
  await q.addIndex('tickets', ['first_response_warn_at']);
  await q.addIndex('tickets', ['resolution_warn_at']);

  if (dialect === 'mysql' || dialect === 'mariadb') {
    await q.sequelize.query('ALTER TABLE tickets ADD FULLTEXT INDEX tickets_fulltext (subject, search_text)');
  } else {
    await q.sequelize.query(
      "CREATE VIRTUAL TABLE tickets_fts USING fts5(subject, search_text, content='tickets', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    );
    await q.sequelize.query(`CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
      INSERT INTO tickets_fts(rowid, subject, search_text) VALUES (new.id, new.subject, new.search_text);
    END`);
    await q.sequelize.query(`CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
      INSERT INTO tickets_fts(tickets_fts, rowid, subject, search_text) VALUES ('delete', old.id, old.subject, old.search_text);
    END`);
    await q.sequelize.query(`CREATE TRIGGER tickets_fts_update AFTER UPDATE OF subject, search_text ON tickets BEGIN
      INSERT INTO tickets_fts(tickets_fts, rowid, subject, search_text) VALUES ('delete', old.id, old.subject, old.search_text);
      INSERT INTO tickets_fts(rowid, subject, search_text) VALUES (new.id, new.subject, new.search_text);
    END`);
  }

  await q.createTable('ticket_events', {
    id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
    ticket_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'tickets', key: 'id' }, onDelete: 'CASCADE' },
    type: { type: DataTypes.STRING(32), allowNull: false },
    actor_type: { type: DataTypes.STRING(16), allowNull: false },
    actor_id: { type: DataTypes.STRING(36), allowNull: true },
    data: { type: DataTypes.TEXT, allowNull: true },
    created_at: time(false),
  });
  await q.addIndex('ticket_events', ['ticket_id', 'id']);

  await q.createTable('sla_policies', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    department_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'departments', key: 'id' }, onDelete: 'CASCADE' },
    urgency: { type: DataTypes.STRING(24), allowNull: false },
    first_response_minutes: { type: DataTypes.INTEGER, allowNull: true },
    resolution_minutes: { type: DataTypes.INTEGER, allowNull: true },
    created_at: time(false),
    updated_at: time(false),
  });
  await q.addIndex('sla_policies', ['department_id', 'urgency'], { unique: true, name: 'sla_policies_department_urgency' });

  await q.createTable('assignment_rules', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    position: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 100 },
    department_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'departments', key: 'id' }, onDelete: 'CASCADE' },
    keywords: { type: DataTypes.TEXT, allowNull: false },
    product: { type: DataTypes.STRING(80), allowNull: true },
    language: { type: DataTypes.STRING(2), allowNull: true },
    assign_to_agent_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'users', key: 'id' }, onDelete: 'SET NULL' },
    assign_to_department_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'departments', key: 'id' }, onDelete: 'CASCADE' },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    created_at: time(false),
    updated_at: time(false),
  });

  // Persist, then send: a mail is written with the change that causes it and sent (and retried) apart.
  await q.createTable('mail_outbox', {
    id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
    kind: { type: DataTypes.STRING(32), allowNull: false },
    // The same mail is never queued twice (a retried request, two nodes).
    dedupe_key: { type: DataTypes.STRING(128), allowNull: false, unique: true },
    to_address: { type: DataTypes.STRING(254), allowNull: false },
    subject: { type: DataTypes.STRING(255), allowNull: false },
    text_body: { type: DataTypes.TEXT, allowNull: false },
    html_body: { type: DataTypes.TEXT, allowNull: false },
    ticket_id: { type: DataTypes.INTEGER, allowNull: true },
    conversation_id: { type: DataTypes.CHAR(36), allowNull: true },
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    next_attempt_at: time(false),
    locked_until: time(),
    sent_at: time(),
    failed_at: time(),
    last_error: { type: DataTypes.TEXT, allowNull: true },
    created_at: time(false),
  });
  await q.addIndex('mail_outbox', ['sent_at', 'failed_at', 'next_attempt_at']);
}

export async function down({ context: q }: { context: QueryInterface }): Promise<void> {
  const dialect = q.sequelize.getDialect();
  await q.dropTable('mail_outbox');
  await q.dropTable('assignment_rules');
  await q.dropTable('sla_policies');
  await q.dropTable('ticket_events');
  if (dialect === 'sqlite') {
    for (const trigger of ['tickets_fts_insert', 'tickets_fts_delete', 'tickets_fts_update']) await q.sequelize.query(`DROP TRIGGER IF EXISTS ${trigger}`);
    await q.sequelize.query('DROP TABLE IF EXISTS tickets_fts');
  }
  await q.dropTable('tickets');
  await q.dropTable('ticket_counters');
  await q.removeColumn('conversations', 'transcript_sent_at');
  await q.removeColumn('conversations', 'wait_choice_at');
  await q.removeColumn('users', 'substitute_id');
  await q.removeColumn('departments', 'offline_fallback');
}
