import type { CommunityReport, CommunitySanction, SanctionKind } from '../../../shared/schemas/community.js';
import type { CommunityClient } from '../../lib/community/client.svelte.js';
import type { ClientAck } from '../../lib/errors.js';
import { ask } from '../../lib/socket.js';

const byMostReported = (a: CommunityReport, b: CommunityReport): number => b.reports - a.reports || a.id - b.id;

/**
 * Staff side of the community, on the same /community connection as the room view: the reports
 * queue (live via `community:reported`), active sanctions, and the actions on messages. Every
 * message an action returns goes back into the room view, so the moderator sees the result at
 * once even before the server's push.
 */
export class CommunityModeration {
  reports = $state<CommunityReport[]>([]);
  sanctions = $state<CommunitySanction[]>([]);
  /** The last report that came in live: announced to screen readers. */
  latest = $state<CommunityReport | null>(null);
  readonly #client: CommunityClient;

  constructor(client: CommunityClient) {
    this.#client = client;
    client.socket.on('community:reported', (report) => {
      // One entry per report id; a further report of the same message updates its count.
      this.reports = [...this.reports.filter((entry) => entry.id !== report.id), report].sort(byMostReported);
      this.latest = report;
    });
    client.socket.on('connect', () => void this.refresh());
  }

  async refresh(): Promise<void> {
    const socket = this.#client.socket;
    const [reports, sanctions] = await Promise.all([
      ask(socket, 'community:reports', {}),
      ask(socket, 'community:sanctions', {}),
    ]);
    if (reports.ok) this.reports = [...reports.data.reports].sort(byMostReported);
    if (sanctions.ok) this.sanctions = sanctions.data.sanctions;
  }

  async remove(messageId: number): Promise<ClientAck<unknown>> {
    const result = await ask(this.#client.socket, 'community:delete', { messageId });
    if (result.ok) {
      this.#client.apply(result.data.message);
      this.reports = this.reports.filter((report) => report.message.id !== messageId);
    }
    return result;
  }

  async pin(messageId: number, on: boolean): Promise<ClientAck<unknown>> {
    const result = await ask(this.#client.socket, 'community:pin', { messageId, on });
    if (result.ok) this.#client.apply(result.data.message);
    return result;
  }

  async accept(messageId: number, on: boolean): Promise<ClientAck<unknown>> {
    const result = await ask(this.#client.socket, 'community:accept', { messageId, on });
    if (result.ok) this.#client.apply(result.data.message);
    return result;
  }

  async sanction(input: { visitorId: string; kind: SanctionKind; minutes: number; reason: string }): Promise<ClientAck<{ sanction: CommunitySanction }>> {
    const { reason, ...rest } = input;
    const result = await ask(this.#client.socket, 'community:sanction', { ...rest, ...(reason.trim() ? { reason: reason.trim() } : {}) });
    if (result.ok) this.sanctions = [...this.sanctions.filter((entry) => entry.id !== result.data.sanction.id), result.data.sanction];
    return result;
  }

  async lift(sanctionId: number): Promise<ClientAck<unknown>> {
    const result = await ask(this.#client.socket, 'community:sanction:lift', { sanctionId });
    if (result.ok) this.sanctions = this.sanctions.filter((entry) => entry.id !== sanctionId);
    return result;
  }

  async resolve(report: CommunityReport, action: 'dismiss' | 'delete'): Promise<ClientAck<unknown>> {
    const result = await ask(this.#client.socket, 'community:report:resolve', { reportId: report.id, action });
    if (result.ok) {
      // Any other open report of the same message is settled by a delete too.
      // Resolving settles every open report of the message (the server keeps one entry per message).
      this.reports = this.reports.filter((entry) => entry.message.id !== report.message.id);
    }
    return result;
  }
}
