import type { Role } from '../../../shared/schemas/common.js';

export const SECTIONS = ['chats', 'tickets', 'community', 'team', 'admin'] as const;
export type Section = (typeof SECTIONS)[number];

const BASE = '/console/';

/** Which roles may open a section (the server enforces this too; this only hides the nav). */
export function canOpen(section: Section, role: Role): boolean {
  if (section === 'team') return role === 'supervisor' || role === 'admin';
  // Ticket settings (SLA, assignment rules, substitutes): the server allows supervisors too.
  if (section === 'admin') return role === 'supervisor' || role === 'admin';
  return true;
}

export function sectionPath(section: Section): string {
  return section === 'chats' ? BASE : `${BASE}${section}`;
}

/** A ticket's deep link: /console/tickets/42. */
export function ticketPath(ticketId: number): string {
  return `${BASE}tickets/${ticketId}`;
}

function parse(pathname: string): Section | null {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : '';
  const first = rest.split('/')[0] ?? '';
  if (first === '' || first === 'setup') return 'chats';
  return (SECTIONS as readonly string[]).includes(first) ? (first as Section) : null;
}

function parseTicket(pathname: string): number | null {
  const match = /^\/console\/tickets\/(\d{1,12})\/?$/.exec(pathname);
  return match ? Number(match[1]) : null;
}

/**
 * Minimal history router for /console/*: the server serves index.html for every such path,
 * so a reload lands on the same section. `section` is null for unknown paths.
 */
export class Router {
  section = $state<Section | null>(parse(location.pathname));
  /** The ticket open in the Tickets section (its own URL, so it can be linked and reloaded). */
  ticketId = $state<number | null>(parseTicket(location.pathname));

  constructor() {
    window.addEventListener('popstate', () => {
      this.section = parse(location.pathname);
      this.ticketId = parseTicket(location.pathname);
    });
  }

  go(section: Section): void {
    const path = sectionPath(section);
    if (location.pathname !== path) history.pushState(null, '', path);
    this.section = section;
    this.ticketId = null;
  }

  /** Opens a ticket (null: back to the inbox alone). */
  openTicket(ticketId: number | null): void {
    const path = ticketId === null ? sectionPath('tickets') : ticketPath(ticketId);
    if (location.pathname !== path) history.pushState(null, '', path);
    this.section = 'tickets';
    this.ticketId = ticketId;
  }
}
