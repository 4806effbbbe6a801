import { UniqueConstraintError } from 'sequelize';
import { createUserBodySchema, type CreateUserBody } from '../../../shared/schemas/auth.js';
import type { Models, UserModel } from '../db/models/index.js';
import { ConflictError } from '../errors/errors.js';
import { parseInput } from '../http/validate.js';
import { hashPassword } from '../auth/passwords.js';

export interface Users {
  create(input: CreateUserBody): Promise<UserModel>;
  list(): Promise<UserModel[]>;
  count(): Promise<number>;
}

export function createUsers(models: Models): Users {
  return {
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
    list: () => models.User.findAll({ order: [['name', 'ASC']] }),
    count: () => models.User.count(),
  };
}
