import type { SetupBody } from '../../../shared/schemas/auth.js';
import type { UserModel } from '../db/models/index.js';

/**
 * First start: with no users at all, the console offers a form that creates the first admin.
 * A token printed in the server log proves the person filling it in runs this server. Each start
 * (and each node of a cluster) prints its own; all stay valid, kept hashed in the database,
 * until the first admin exists.
 */
export interface Setup {
  needsSetup(): Promise<boolean>;
  /** Returns a fresh token to print when setup is pending, else null. */
  prepare(): Promise<string | null>;
  complete(body: SetupBody): Promise<UserModel>;
}
