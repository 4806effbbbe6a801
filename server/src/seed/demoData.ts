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

const departments = [
  { slug: 'technik', name: 'Technik/Support', languages: ['de', 'en'], openingHours: null, fallback: null },
  { slug: 'buchhaltung', name: 'Buchhaltung', languages: ['de'], openingHours: weekdaysOnly('09:00', '17:00'), fallback: null },
  { slug: 'vertrieb', name: 'Vertrieb', languages: ['de', 'en'], openingHours: weekdaysOnly('08:00', '18:00'), fallback: 'technik' },
] as const;

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
      defaults: { slug: d.slug, name: d.name, languages: [...d.languages], openingHours: d.openingHours, fallbackDepartmentId: null },
    });
    ids.set(d.slug, row.id);
    if (made) created++;
  }
  for (const d of departments) {
    if (d.fallback) await Department.update({ fallbackDepartmentId: ids.get(d.fallback)! }, { where: { slug: d.slug, fallbackDepartmentId: null } });
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
  return { created };
}
