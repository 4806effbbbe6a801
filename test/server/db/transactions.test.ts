import assert from 'node:assert/strict';
import { QueryTypes } from 'sequelize';
import { openDatabase, type Database } from '../../../server/src/db/database.js';
import { createSqlRunner, type SqlRunner } from '../../../server/src/db/sqlRunner.js';
import { dbTargets } from '../../support/dbTargets.js';
import { captureLog } from '../../support/logCapture.js';
import { createTestDatabase } from '../../support/mariadb.js';

/** Two transactions that take the same two row locks in opposite orders: InnoDB fails one of them. */
async function crossLocks(run: (first: number, second: number, onFirstLocked: () => Promise<void>) => Promise<void>) {
  const tries = { a: 0, b: 0 };
  let aLocked!: () => void;
  let bLocked!: () => void;
  const aHas = new Promise<void>((r) => (aLocked = r));
  const bHas = new Promise<void>((r) => (bLocked = r));
  // Only the first try of each waits for the other: a re-run simply takes its turn.
  const a = run(1, 2, async () => {
    if (++tries.a === 1) {
      aLocked();
      await bHas;
    }
  });
  const b = run(2, 1, async () => {
    if (++tries.b === 1) {
      bLocked();
      await aHas;
    }
  });
  const outcomes = await Promise.allSettled([a, b]);
  return { outcomes, tries };
}

for (const kind of dbTargets().filter((t) => t === 'mariadb')) {
  describe(`transactions: a deadlock victim runs again, whole [${kind}]`, () => {
    let db: Database;
    let sql: SqlRunner;
    let drop: () => Promise<void>;
    const captured = captureLog('warn');
    before(async () => {
      const t = await createTestDatabase();
      drop = t.drop;
      db = await openDatabase({ database: { kind: 'mysql', url: t.url }, dbPoolMax: 5, dbLogSql: false }, captured.log);
      sql = await createSqlRunner(db, captured.log);
      await db.sequelize.query('CREATE TABLE counters (id INT PRIMARY KEY, value INT NOT NULL) ENGINE=InnoDB');
    });
    after(async () => {
      await db.close();
      await drop();
    });
    beforeEach(async () => {
      await db.sequelize.query('DELETE FROM counters');
      await db.sequelize.query('INSERT INTO counters (id, value) VALUES (1, 0), (2, 0)');
    });

    const values = async () =>
      (await db.sequelize.query<{ id: number; value: number }>('SELECT id, value FROM counters ORDER BY id', { type: QueryTypes.SELECT })).map((r) => Number(r.value));

    it('through the SQL runner (chat messages, tickets)', async () => {
      const before = captured.lines.length;
      const { outcomes, tries } = await crossLocks((first, second, onFirstLocked) =>
        sql.transaction(async (tx) => {
          await tx.run('UPDATE counters SET value = value + 1 WHERE id = ?', [first]);
          await onFirstLocked();
          await tx.run('UPDATE counters SET value = value + 1 WHERE id = ?', [second]);
        }),
      );
      assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'fulfilled'], JSON.stringify(outcomes));
      assert.equal(tries.a + tries.b, 3, 'the victim ran once more');
      assert.deepEqual(await values(), [2, 2], 'each transaction counted once: the rolled-back try left nothing');
      assert.ok(captured.lines.slice(before).some((l) => l.conflict === 'deadlock'), 'the retry is logged');
    });

    it('through Sequelize’s managed transactions (users, community, …)', async () => {
      const { outcomes, tries } = await crossLocks((first, second, onFirstLocked) =>
        db.sequelize.transaction(async (transaction) => {
          await db.sequelize.query('UPDATE counters SET value = value + 1 WHERE id = ?', { replacements: [first], transaction });
          await onFirstLocked();
          await db.sequelize.query('UPDATE counters SET value = value + 1 WHERE id = ?', { replacements: [second], transaction });
        }),
      );
      assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'fulfilled'], JSON.stringify(outcomes));
      assert.equal(tries.a + tries.b, 3, 'the victim ran once more');
      assert.deepEqual(await values(), [2, 2]);
    });

    it('other errors are not retried', async () => {
      let tries = 0;
      await assert.rejects(
        sql.transaction(async (tx) => {
          tries++;
          await tx.run('UPDATE no_such_table SET x = 1', []);
        }),
        /no_such_table/,
      );
      assert.equal(tries, 1);
    });
  });
}
