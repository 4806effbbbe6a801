import type { AssignmentRule } from '../../../shared/schemas/tickets.js';
import type { AssignmentRuleModel } from './models.js';

export const toRule = (r: AssignmentRuleModel): AssignmentRule => ({
  id: r.id,
  position: r.position,
  departmentId: r.departmentId,
  keywords: r.keywords,
  product: r.product,
  language: r.language,
  assignToAgentId: r.assignToAgentId,
  assignToDepartmentId: r.assignToDepartmentId,
  active: Boolean(r.active),
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A keyword matches as a whole word (or phrase), whatever the case: "Drucker" is not found in "Druckerei". */
const containsWord = (text: string, word: string) => new RegExp(`(^|[^\\p{L}\\p{N}])${escape(word)}($|[^\\p{L}\\p{N}])`, 'iu').test(text);

export interface RoutableTicket {
  departmentId: number;
  language: string;
  product: string | null;
  /** Subject and the visitor's words. */
  text: string;
}

/** The first active rule (by position, then id) whose every given condition holds. */
export function firstMatch(rules: AssignmentRule[], t: RoutableTicket): AssignmentRule | null {
  const ordered = [...rules].filter((r) => r.active).sort((a, b) => a.position - b.position || a.id - b.id);
  return (
    ordered.find(
      (r) =>
        (r.departmentId === null || r.departmentId === t.departmentId) &&
        (r.language === null || r.language === t.language) &&
        (r.product === null || (t.product !== null && r.product.toLowerCase() === t.product.toLowerCase())) &&
        (r.keywords.length === 0 || r.keywords.some((k) => containsWord(t.text, k))),
    ) ?? null
  );
}
