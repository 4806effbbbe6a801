import { UniqueConstraintError, type Transaction } from 'sequelize';
import { createUserBodySchema, userPatchSchema, type CreateUserBody, type UserPatch } from '../../../shared/schemas/auth.js';
import type { Models, UserModel } from '../db/models/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors/errors.js';
import type { Database } from '../db/database.js';
import { parseInput } from '../errors/parseInput.js';
import { hashPassword } from '../auth/passwords.js';
import type { SessionEndCode } from '../../../shared/schemas/auth.js';
import type { Role } from '../../../shared/schemas/common.js';

/** Deactivation ends every sign-in; a new password every other one (one's own stays); a new role reloads them. */
function rightsChange(
  userId: number,
  before: { role: Role; active: boolean },
  after: { role: Role | undefined; active: boolean | undefined; password: boolean },
  actor: { userId: number; sessionId: string } | undefined,
): RightsChange | null {
  if (before.active && after.active === false) return { userId, code: 'DEACTIVATED' };
  if (after.password) return { userId, code: 'PASSWORD_CHANGED', ...(actor?.userId === userId ? { keepSessionId: actor.sessionId } : {}) };
  if (after.role !== undefined && after.role !== before.role) return { userId, code: 'ROLE_CHANGED' };
  return null;
}

export interface Users {
  create(input: CreateUserBody): Promise<UserModel>;
  list(): Promise<UserModel[]>;
  count(): Promise<number>;
  /** `actor`: who changes it; changing one's own password keeps one's own session. */
  update(id: number, patch: UserPatch, actor?: { userId: number; sessionId: string }): Promise<UserModel>;
  memberships(id: number): Promise<Array<{ departmentId: number; level: string; maxChats: number | null }>>;
}

/** A change that takes rights from live sign-ins: they end (all, or all but the actor's own). */
export interface RightsChange {
  userId: number;
  code: Extract<SessionEndCode, 'DEACTIVATED' | 'PASSWORD_CHANGED' | 'ROLE_CHANGED'>;
  keepSessionId?: string;
}

export function createUsers(
  models: Models,
  db?: Database,
  onChange: (userId: number) => Promise<void> = async () => undefined,
  onRightsChanged: (change: RightsChange) => Promise<void> = async () => undefined,
): Users {
  return {
    async update(id, input, actor) {
      const user = await models.User.findByPk(id);
      if (!user) throw new NotFoundError('No such user.');
      const before = { role: user.role, active: user.active };
      const { memberships, password, ...fields } = parseInput(userPatchSchema, input);
      if (memberships) {
        const ids = memberships.map((m) => m.departmentId);
        if (new Set(ids).size !== ids.length) throw new ValidationError([{ path: 'memberships', message: 'a department may appear once' }]);
        if ((await models.Department.count({ where: { id: ids } })) !== ids.length) {
          throw new ValidationError([{ path: 'memberships', message: 'unknown department' }]);
        }
      }
      // Hashing is slow: done before, so the transaction holds its locks only for the writes.
      const passwordHash = password ? await hashPassword(password) : undefined;
      // The transaction may run more than once (MariaDB's deadlocks run it again, db/database.ts), so
      // it changes a row it read itself: a re-run writes every field again, none looks saved already.
      const apply = async (transaction?: Transaction) => {
        const row = await models.User.findByPk(id, { transaction });
        if (!row) throw new NotFoundError('No such user.');
        await row.update({ ...fields, ...(passwordHash ? { passwordHash } : {}) }, { transaction });
        if (memberships) {
          await models.DepartmentMember.destroy({ where: { userId: id }, transaction });
          await models.DepartmentMember.bulkCreate(memberships.map((m) => ({ userId: id, ...m })), { transaction });
        }
        return row;
      };
      const updated = db ? await db.sequelize.transaction((t) => apply(t)) : await apply();
      await onChange(id);
      const rights = rightsChange(id, before, { role: fields.role, active: fields.active, password: password !== undefined }, actor);
      if (rights) await onRightsChanged(rights);
      return updated;
    },
    async create(input) {
      const body = parseInput(createUserBodySchema, input);
      try {
        return await models.User.create({
          email: body.email,
          name: body.name,
          passwordHash: await hashPassword(body.password),
          role: body.role,
          languages: body.languages,
          uiLanguage: body.uiLanguage,
          maxChats: body.maxChats,
        });
      } catch (error) {
        if (error instanceof UniqueConstraintError) throw new ConflictError(`A user with e-mail ${body.email} exists.`);
        throw error;
      }
    },
    memberships: async (id) =>
      (await models.DepartmentMember.findAll({ where: { userId: id } })).map((m) => ({ departmentId: m.departmentId, level: m.level, maxChats: m.maxChats })),
    list: () => models.User.findAll({ order: [['name', 'ASC']] }),
    count: () => models.User.count(),
  };
}
