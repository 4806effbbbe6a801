import { UniqueConstraintError } from 'sequelize';
import { createUserBodySchema, userPatchSchema, type CreateUserBody, type UserPatch } from '../../../shared/schemas/auth.js';
import type { Models, UserModel } from '../db/models/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors/errors.js';
import type { Database } from '../db/database.js';
import { parseInput } from '../http/validate.js';
import { hashPassword } from '../auth/passwords.js';

export interface Users {
  create(input: CreateUserBody): Promise<UserModel>;
  list(): Promise<UserModel[]>;
  count(): Promise<number>;
  update(id: number, patch: UserPatch): Promise<UserModel>;
  memberships(id: number): Promise<Array<{ departmentId: number; level: string; maxChats: number | null }>>;
}

export function createUsers(models: Models, db?: Database, onChange: (userId: number) => Promise<void> = async () => undefined): Users {
  return {
    async update(id, input) {
      const user = await models.User.findByPk(id);
      if (!user) throw new NotFoundError('No such user.');
      const { memberships, password, ...fields } = parseInput(userPatchSchema, input);
      if (memberships) {
        const ids = memberships.map((m) => m.departmentId);
        if (new Set(ids).size !== ids.length) throw new ValidationError([{ path: 'memberships', message: 'a department may appear once' }]);
        if ((await models.Department.count({ where: { id: ids } })) !== ids.length) {
          throw new ValidationError([{ path: 'memberships', message: 'unknown department' }]);
        }
      }
      const apply = async (transaction?: import('sequelize').Transaction) => {
        await user.update({ ...fields, ...(password ? { passwordHash: await hashPassword(password) } : {}) }, { transaction });
        if (memberships) {
          await models.DepartmentMember.destroy({ where: { userId: id }, transaction });
          await models.DepartmentMember.bulkCreate(memberships.map((m) => ({ userId: id, ...m })), { transaction });
        }
      };
      if (db) await db.sequelize.transaction((t) => apply(t));
      else await apply();
      await onChange(id);
      return user;
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
