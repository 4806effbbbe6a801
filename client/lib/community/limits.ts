/**
 * Mirrors of limits in shared/schemas/community.ts. A value import from there would pull zod into
 * the community page and the console's community code; types are imported from there instead.
 */
export const COMMUNITY_NAMESPACE = '/community';
export const COMMUNITY_MESSAGE_MAX_LENGTH = 2000;
export const COMMUNITY_MAX_LINKS = 2;

export type NameProblem = 'nameShort' | 'nameLong' | 'nameChars' | 'nameReserved';

/** The display name rules of displayNameSchema, checked before asking the server. */
export function displayNameProblem(raw: string): NameProblem | null {
  const name = raw.trim();
  if (name.length < 2) return 'nameShort';
  if (name.length > 40) return 'nameLong';
  if (!/^[\p{L}\p{N} ._'-]+$/u.test(name)) return 'nameChars';
  if (/\b(admin|moderator|support|zentrale|staff)\b/i.test(name)) return 'nameReserved';
  return null;
}
