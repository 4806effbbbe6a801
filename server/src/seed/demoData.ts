import { defineCommunityModels } from '../community/models.js';
import type { OpeningHours } from '../../../shared/schemas/departments.js';
import type { Level, Role } from '../../../shared/schemas/common.js';
import type { Database } from '../db/database.js';
import { hashPassword } from '../auth/passwords.js';

/** Shown by `zentrale demo`; for a first look only, never for a real installation. */
export const DEMO_PASSWORD = 'zentrale-demo';

const weekdaysOnly = (from: string, to: string): OpeningHours => ({
  timezone: 'Europe/Berlin',
  weekly: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ from, to }]])),
});

// Technik widens to L2 after a minute and L3 after three, and takes English after two minutes;
// the chat timer warns after ten minutes. The office departments keep the defaults.
const departments = [
  {
    slug: 'technik',
    name: 'Technik/Support',
    languages: ['de', 'en'],
    openingHours: null,
    fallback: null,
    routing: { widenL2AfterSeconds: 60, widenL3AfterSeconds: 180, fallbackLanguage: 'en', fallbackLanguageAfterSeconds: 120, softLimitSeconds: 600 },
  },
  { slug: 'buchhaltung', name: 'Buchhaltung', languages: ['de'], openingHours: weekdaysOnly('09:00', '17:00'), fallback: null, routing: { routingStrategy: 'longest_idle' as const } },
  { slug: 'vertrieb', name: 'Vertrieb', languages: ['de', 'en'], openingHours: weekdaysOnly('08:00', '18:00'), fallback: 'technik', routing: { routingStrategy: 'round_robin' as const } },
];

const canned = [
  { department: null, shortcut: 'gruss', title: 'Begrüßung', body: 'Guten Tag {visitor.name}, hier ist {agent.firstName} aus dem Team {department.name}. Wie kann ich Ihnen helfen?' },
  { department: null, shortcut: 'danke', title: 'Verabschiedung', body: 'Vielen Dank für Ihre Nachricht, {visitor.firstName}. Einen schönen Tag noch!' },
  { department: 'technik', shortcut: 'router', title: 'Router neu starten', body: 'Bitte trennen Sie den Router für 30 Sekunden vom Strom und schließen Sie ihn dann wieder an.' },
  { department: 'buchhaltung', shortcut: 'rechnung', title: 'Rechnungskopie', body: 'Eine Kopie Ihrer Rechnung finden Sie im Kundenportal unter „Meine Rechnungen“.' },
];

const people: Array<{ email: string; name: string; role: Role; languages: string[]; maxChats: number; memberships: Array<[string, Level]> }> = [
  { email: 'admin@zentrale.example', name: 'Anna Admin', role: 'admin', languages: ['de', 'en'], maxChats: 3, memberships: [] },
  { email: 'sabine@zentrale.example', name: 'Sabine Schulz', role: 'supervisor', languages: ['de', 'en'], maxChats: 4, memberships: [['technik', 'L3'], ['vertrieb', 'L2']] },
  { email: 'tom@zentrale.example', name: 'Tom Becker', role: 'agent', languages: ['de', 'en'], maxChats: 3, memberships: [['technik', 'L1']] },
  { email: 'lena@zentrale.example', name: 'Lena Wagner', role: 'agent', languages: ['de'], maxChats: 3, memberships: [['buchhaltung', 'L2']] },
  { email: 'mehmet@zentrale.example', name: 'Mehmet Yılmaz', role: 'agent', languages: ['de', 'en', 'tr'], maxChats: 3, memberships: [['technik', 'L2'], ['vertrieb', 'L1']] },
];

export const demoAccounts = people.map(({ email, name, role }) => ({ email, name, role }));

/** Adds the demo departments and people; running it again changes nothing. */
export async function seedDemo(db: Database): Promise<{ created: number }> {
  const { Department, DepartmentMember, User } = db.models;
  let created = 0;
  const ids = new Map<string, number>();
  for (const d of departments) {
    const [row, made] = await Department.findOrCreate({
      where: { slug: d.slug },
      defaults: { slug: d.slug, name: d.name, languages: [...d.languages], openingHours: d.openingHours, fallbackDepartmentId: null, ...d.routing },
    });
    ids.set(d.slug, row.id);
    if (made) created++;
  }
  for (const d of departments) {
    if (d.fallback) await Department.update({ fallbackDepartmentId: ids.get(d.fallback)! }, { where: { slug: d.slug, fallbackDepartmentId: null } });
  }
  for (const c of canned) {
    const departmentId = c.department ? ids.get(c.department)! : null;
    const [, made] = await db.models.CannedResponse.findOrCreate({
      where: { shortcut: c.shortcut },
      defaults: { departmentId, shortcut: c.shortcut, title: c.title, body: c.body, createdBy: null },
    });
    if (made) created++;
  }
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const p of people) {
    const [user, made] = await User.findOrCreate({
      where: { email: p.email },
      defaults: { email: p.email, name: p.name, passwordHash, role: p.role, languages: p.languages, uiLanguage: 'de', maxChats: p.maxChats },
    });
    if (!made) continue;
    created++;
    for (const [slug, level] of p.memberships) {
      await DepartmentMember.create({ userId: user.id, departmentId: ids.get(slug)!, level, maxChats: null });
    }
  }
  const { Room } = defineCommunityModels(db.sequelize);
  for (const [position, r] of communityRooms.entries()) {
    const [, made] = await Room.findOrCreate({ where: { slug: r.slug }, defaults: { ...r, position, createdAt: new Date() } });
    if (made) created++;
  }
  return { created };
}

const communityRooms = [
  { slug: 'router-wlan', name: 'Router & WLAN', description: 'Einrichtung, Verbindungsprobleme, Tipps – Kundinnen und Kunden helfen einander.' },
  { slug: 'rechnung-vertrag', name: 'Rechnung & Vertrag', description: 'Fragen zu Rechnungen, Tarifen und Verträgen.' },
];
