import { createHash, randomBytes } from 'node:crypto';
import { Op } from 'sequelize';
import type { SetupBody } from '../../../shared/schemas/auth.js';
import type { Models, UserModel } from '../db/models/index.js';
import { ConflictError, ForbiddenError } from '../errors/errors.js';
import type { Users } from './users.js';
import type { Setup } from '../auth/setup.js';

const KEY_PREFIX = 'setup_token:';
const keyFor = (token: string) => KEY_PREFIX + createHash('sha256').update(token).digest('hex');

/** The first-admin form's work (the interface and why: auth/setup.ts). */
export function createSetup(models: Models, users: Users): Setup {
  const needsSetup = async () => (await users.count()) === 0;
  const forgetTokens = () => models.Setting.destroy({ where: { key: { [Op.like]: `${KEY_PREFIX}%` } } });
  return {
    needsSetup,
    async prepare() {
      if (!(await needsSetup())) {
        await forgetTokens();
        return null;
      }
      const token = randomBytes(24).toString('base64url');
      await models.Setting.create({ key: keyFor(token), value: new Date().toISOString() });
      return token;
    },
    async complete(body) {
      if (!(await needsSetup())) throw new ConflictError('Setup is already complete.');
      // Deleting the token is the atomic step: of two people submitting at once, one wins.
      const key = keyFor(body.setupToken);
      if ((await models.Setting.destroy({ where: { key } })) !== 1) {
        throw new ForbiddenError('Setup token does not match one printed in the server log.');
      }
      try {
        const user = await users.create({ ...body, role: 'admin', languages: ['de', 'en'] });
        await forgetTokens();
        return user;
      } catch (error) {
        await models.Setting.create({ key, value: new Date().toISOString() });
        throw error;
      }
    },
  };
}
