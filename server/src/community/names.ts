import unhomoglyph from 'unhomoglyph';

/**
 * Whether a visitor's display name could pass for the team: one of the reserved words, or the
 * name of someone in the users table. Names are compared by what they look like, not by their
 * code points, so that "Suppоrt" (a Cyrillic о), "Аdmin Team", "S u p p o r t", "Support2",
 * "SUPP0RT" or "Tom  Becker" do not get round it. See key() for how.
 */
export const RESERVED_NAME_WORDS = ['admin', 'moderator', 'support', 'zentrale', 'staff'] as const;

/**
 * A staff name this long (in letters, after key()) also may not appear inside a visitor's name
 * ("Tom Becker Support"); shorter ones ("Ali") only may not be the whole name, as they occur
 * inside ordinary names.
 */
const STAFF_INSIDE_MIN = 6;

/**
 * The comparison key of a name: NFKC (full-width and compatibility forms to plain), case folded,
 * the Unicode TR39 confusable skeleton (unhomoglyph, from Unicode's confusables.txt; `0` looks
 * like `O`, `1` like `l`, Cyrillic `а` like `a`), folded again, then only letters kept, marks
 * removed (`é` as `e`): digits, spaces and separators between the letters do not make a
 * different name. `l` and `i` are one letter here, as are `rn` and `m` in the skeleton already.
 */
export function nameKey(name: string): string {
  const folded = name.normalize('NFKC').toLowerCase();
  const skeleton = unhomoglyph(folded.normalize('NFD')).normalize('NFD').toLowerCase();
  return skeleton
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}]/gu, '')
    .replace(/l/g, 'i');
}

const reservedKeys = RESERVED_NAME_WORDS.map(nameKey);

/** The key of a name's words in sorted order: "Becker Tom" is "Tom Becker". */
function wordsKey(name: string): string {
  return name
    .normalize('NFKC')
    .split(/[\s._'-]+/u)
    .map(nameKey)
    .filter((k) => k !== '')
    .sort()
    .join('');
}

export type NameClash = 'reserved' | 'staff';

/** Why `name` may not be a visitor's display name, or null when it may. */
export function nameClash(name: string, staffNames: readonly string[]): NameClash | null {
  const key = nameKey(name);
  if (key === '') return null;
  if (reservedKeys.some((reserved) => key.includes(reserved))) return 'reserved';
  const words = wordsKey(name);
  for (const staff of staffNames) {
    const staffKey = nameKey(staff);
    if (staffKey === '') continue;
    if (key === staffKey || words === wordsKey(staff) || (staffKey.length >= STAFF_INSIDE_MIN && key.includes(staffKey))) return 'staff';
  }
  return null;
}
