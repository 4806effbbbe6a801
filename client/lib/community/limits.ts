import { DISPLAY_NAME_MAX_LENGTH, DISPLAY_NAME_MIN_LENGTH, DISPLAY_NAME_PATTERN } from '../../../shared/limits.js';

/**
 * The community's limits come from shared/limits.ts, as the schemas' do: a value import from
 * shared/schemas/community.ts would pull zod into the community page and the console's community
 * code (types are imported from there instead). The namespace mirrors COMMUNITY_NAMESPACE in
 * shared/events/community.ts for the same reason.
 */
export const COMMUNITY_NAMESPACE = '/community';
export { COMMUNITY_MAX_LINKS, COMMUNITY_MESSAGE_MAX_LENGTH, DISPLAY_NAME_MAX_LENGTH, REASON_MAX_LENGTH } from '../../../shared/limits.js';

export type NameProblem = 'nameShort' | 'nameLong' | 'nameChars' | 'nameReserved';

/** The display name rules of displayNameSchema, checked before asking the server. */
export function displayNameProblem(raw: string): NameProblem | null {
  const name = raw.trim();
  if (name.length < DISPLAY_NAME_MIN_LENGTH) return 'nameShort';
  if (name.length > DISPLAY_NAME_MAX_LENGTH) return 'nameLong';
  if (!DISPLAY_NAME_PATTERN.test(name)) return 'nameChars';
  if (/\b(admin|moderator|support|zentrale|staff)\b/i.test(name)) return 'nameReserved';
  return null;
}
