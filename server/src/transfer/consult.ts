import { UniqueConstraintError } from 'sequelize';
import type { ConsultMessage } from '../../../shared/schemas/transfer.js';
import type { WithDelivery } from '../chat/chatService.js';
import { ConflictError, NotFoundError } from '../errors/errors.js';
import type { AgentUser } from '../auth/agentUser.js';
import type { TransferDeps } from './deps.js';

const CONSULT_PAGE = 500;

/**
 * The private thread of a warm transfer. It lives in its own table, so no visitor query
 * (resume, sync, transcript) can ever return it, and its pushes address agent rooms only.
 */
export function createConsult(deps: TransferDeps) {
  const { models, pushes } = deps;
  const { Transfer, ConsultMessage: Row } = models;

  async function send(user: AgentUser, input: { transferId: string; clientId: string; text: string }, socketId: string): Promise<WithDelivery<{ message: ConsultMessage; duplicate: boolean }>> {
    const transfer = await Transfer.findByPk(input.transferId);
    if (!transfer || transfer.kind !== 'agent' || (transfer.fromAgentId !== user.id && transfer.toAgentId !== user.id)) throw new NotFoundError('No such transfer.');
    const retried = await Row.findOne({ where: { transferId: transfer.id, clientId: input.clientId } });
    if (retried) return duplicate(retried, user);
    // Talking it over goes on after the handover (questions come up); not once it fell through.
    if (transfer.status !== 'pending' && transfer.status !== 'accepted') throw new ConflictError(`The transfer is ${transfer.status}.`);
    try {
      const row = await Row.create({
        transferId: transfer.id,
        conversationId: transfer.conversationId,
        senderId: user.id,
        senderName: user.name,
        clientId: input.clientId,
        body: input.text,
        createdAt: deps.now(),
      });
      const message = row.toPublic();
      return {
        message,
        duplicate: false,
        deliver: async () => {
          pushes.consultSent(message, transfer, socketId);
        },
      };
    } catch (error) {
      if (!(error instanceof UniqueConstraintError)) throw error;
      const existing = await Row.findOne({ where: { transferId: transfer.id, clientId: input.clientId } });
      if (!existing) throw error;
      return duplicate(existing, user);
    }
  }

  function duplicate(row: InstanceType<typeof Row>, user: AgentUser) {
    if (row.senderId !== user.id) throw new ConflictError('That client id is already used in this consult.');
    return { message: row.toPublic(), duplicate: true, deliver: async () => undefined };
  }

  async function thread(transferId: string): Promise<ConsultMessage[]> {
    const rows = await Row.findAll({ where: { transferId }, order: [['id', 'ASC']], limit: CONSULT_PAGE });
    return rows.map((r) => r.toPublic());
  }

  return { send, thread };
}

export type Consult = ReturnType<typeof createConsult>;
