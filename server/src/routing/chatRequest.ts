import type { ChatRequest, ChatRoute } from './types.js';

/** The request a route was made from: what putting a chat back into the store needs. */
export const requestOfRoute = (r: ChatRoute): ChatRequest => ({
  conversationId: r.conversationId,
  departmentId: r.departmentId,
  visitorId: r.visitorId,
  visitorName: r.visitorName,
  language: r.language,
  priority: r.priority,
  waitingSince: r.waitingSince,
  preview: r.preview,
  channel: r.channel,
});
