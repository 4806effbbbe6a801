import type { SqlRunner, SqlTx } from '../db/sqlRunner.js';

/**
 * The next readable ticket number, PREFIX-YEAR-NNNNNN (ZT-2026-004211). One counter row per
 * year, bumped inside the ticket's transaction: the row lock makes concurrent transactions — on
 * any node — take turns, so no number is given twice, and a rolled-back ticket returns its number.
 */
export async function nextTicketNumber(tx: SqlTx, dialect: SqlRunner['dialect'], prefix: string, at: Date): Promise<string> {
  const year = at.getUTCFullYear();
  await tx.run(
    dialect === 'mysql'
      ? 'INSERT INTO ticket_counters (period, value) VALUES (?, 1) ON DUPLICATE KEY UPDATE value = value + 1'
      : 'INSERT INTO ticket_counters (period, value) VALUES (?, 1) ON CONFLICT(period) DO UPDATE SET value = value + 1',
    [year],
  );
  const [row] = await tx.rows<{ value: number }>('SELECT value FROM ticket_counters WHERE period = ?', [year]);
  return `${prefix}-${year}-${String(Number(row!.value)).padStart(6, '0')}`;
}

const isDeadlock = (error: unknown) => {
  const code = (error as { code?: string; original?: { code?: string } } | null)?.code ?? (error as { original?: { code?: string } } | null)?.original?.code;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
};

/** InnoDB may pick a numbering transaction as a deadlock victim (two first tickets of a year at once): run it again. */
export async function retryOnDeadlock<T>(work: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await work();
    } catch (error) {
      if (i >= attempts || !isDeadlock(error)) throw error;
    }
  }
}
