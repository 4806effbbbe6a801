import type { QueryInterface } from 'sequelize';
import * as m0001 from './0001-initial-schema.js';
import * as m0002 from './0002-live-chat.js';
import * as m0003 from './0003-transfers.js';
import * as m0004 from './0004-tickets.js';
import * as m0005 from './0005-community.js';
import * as m0006 from './0006-chat-origins.js';
import * as m0007 from './0007-customer-number-verifications.js';

export interface Migration {
  name: string;
  up(params: { context: QueryInterface }): Promise<void>;
  down(params: { context: QueryInterface }): Promise<void>;
}

/** The one migration history, in order. Append only: never edit a migration that has shipped. */
export const migrations: Migration[] = [
  { name: '0001-initial-schema', ...m0001 },
  { name: '0002-live-chat', ...m0002 },
  { name: '0003-transfers', ...m0003 },
  { name: '0004-tickets', ...m0004 },
  { name: '0005-community', ...m0005 },
  { name: '0006-chat-origins', ...m0006 },
  { name: '0007-customer-number-verifications', ...m0007 },
];
