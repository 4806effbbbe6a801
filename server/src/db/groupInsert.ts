import type { SqlRunner } from './sqlRunner.js';

interface Pending {
  values: readonly unknown[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Rows of one table written by group commit: rows arriving while a batch is being written wait
 * and go out together as one multi-row INSERT in one transaction. Each caller's promise settles
 * when its row is committed, or fails with its own row's error: a batch the database refuses is
 * written again row by row. Arrival order is insertion order.
 */
export function createGroupInsert(sql: SqlRunner, table: string, columns: readonly string[], maxBatch = 500) {
  const row = `(${columns.map(() => '?').join(', ')})`;
  const head = `INSERT INTO ${table} (${columns.join(', ')}) VALUES `;
  const waiting: Pending[] = [];
  let writing = false;

  async function flush(): Promise<void> {
    writing = true;
    while (waiting.length > 0) {
      const batch = waiting.splice(0, maxBatch);
      try {
        await sql.transaction((tx) => tx.run(head + batch.map(() => row).join(', '), batch.flatMap((p) => p.values)));
        for (const p of batch) p.resolve();
      } catch (error) {
        if (batch.length === 1) {
          batch[0]!.reject(error);
          continue;
        }
        // One bad row must not fail the others: write them one by one.
        for (const p of batch) {
          try {
            await sql.transaction((tx) => tx.run(head + row, p.values));
            p.resolve();
          } catch (one) {
            p.reject(one);
          }
        }
      }
    }
    writing = false;
  }

  return {
    insert(values: readonly unknown[]): Promise<void> {
      return new Promise((resolve, reject) => {
        waiting.push({ values, resolve, reject });
        if (!writing) void flush();
      });
    },
  };
}
