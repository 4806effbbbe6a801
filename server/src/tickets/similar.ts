import type { SqlRunner } from '../db/sqlRunner.js';

// Words too common to say anything about a request. InnoDB's own stop list is English only.
const STOPWORDS = new Set(
  (
    'und oder aber der die das den dem des ein eine einen einem einer ich sie wir ihr mein meine mit für von bei nicht kein keine ist sind war hat habe haben ' +
    'wird werden auf aus nach wie was wenn dass noch nur auch schon mal bitte danke hallo guten tag sehr mehr kann können muss hier dort jetzt ' +
    'the and but for with not are was were has have had this that what when will would can could please thanks hello you your our from there here'
  ).split(' '),
);

/** The distinctive words of a text, as search terms (at most `max`, longest first). */
export function searchTerms(text: string, max = 24): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [];
  return [...new Set(words.filter((w) => !STOPWORDS.has(w)))].sort((a, b) => b.length - a.length).slice(0, max);
}

/**
 * Ids of other tickets whose subject and text resemble `text`, best first: MATCH … AGAINST in
 * natural language mode on MySQL/MariaDB (FULLTEXT index), FTS5 with bm25 on SQLite (tickets_fts,
 * kept in sync by triggers).
 */
export async function similarTicketIds(sql: SqlRunner, text: string, excludeId: number, limit: number): Promise<number[]> {
  const terms = searchTerms(text);
  if (terms.length === 0) return [];
  return sql.transaction(async (tx) => {
    if (sql.dialect === 'mysql') {
      const query = terms.join(' ');
      const rows = await tx.rows<{ id: number }>(
        'SELECT id, MATCH(subject, search_text) AGAINST (? IN NATURAL LANGUAGE MODE) AS score FROM tickets WHERE id <> ? AND MATCH(subject, search_text) AGAINST (? IN NATURAL LANGUAGE MODE) ORDER BY score DESC, id DESC LIMIT ?',
        [query, excludeId, query, limit],
      );
      return rows.map((r) => Number(r.id));
    }
    const match = terms.map((t) => `"${t.replace(/"/g, '""')}"`).join(' OR ');
    const rows = await tx.rows<{ id: number }>(
      'SELECT rowid AS id FROM tickets_fts WHERE tickets_fts MATCH ? AND rowid <> ? ORDER BY bm25(tickets_fts), rowid DESC LIMIT ?',
      [match, excludeId, limit],
    );
    return rows.map((r) => Number(r.id));
  });
}
