import type { SqlRunner, SqlTx } from './sqlRunner.js';

/**
 * One multi-row INSERT (where the database can say which ids it made) and the new rows' ids in
 * the rows' order. See SqlRunner.insertIds for how each database reports them.
 */
export async function insertRows(sql: SqlRunner, tx: SqlTx, table: string, columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>): Promise<number[]> {
  if (rows.length === 0) return [];
  const one = `(${columns.map(() => '?').join(', ')})`;
  const head = `INSERT INTO ${table} (${columns.join(', ')}) VALUES `;
  if (sql.insertIds === 'one-by-one') {
    const ids: number[] = [];
    for (const r of rows) ids.push((await tx.run(head + one, r)).insertId);
    return ids;
  }
  const values = rows.map(() => one).join(', ');
  const flat = rows.flat();
  if (sql.insertIds === 'consecutive') {
    const { insertId } = await tx.run(head + values, flat);
    return rows.map((_, i) => insertId + i);
  }
  // RETURNING lists rows in no promised order; one statement's auto-increment ids rise in row order.
  const returned = await tx.rows<{ id: number }>(`${head}${values} RETURNING id`, flat);
  return returned.map((r) => Number(r.id)).sort((a, b) => a - b);
}
