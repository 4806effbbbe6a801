/** Every Socket.IO room name comes from here, so emitters and joiners cannot drift apart. */
export const rooms = {
  visitor: (visitorId: string) => `visitor:${visitorId}`,
  agent: (userId: number) => `agent:${userId}`,
  session: (sessionId: string) => `session:${sessionId}`,
  conversation: (conversationId: string) => `conversation:${conversationId}`,
  supervisors: () => 'supervisors',
  /** Agents who are members of a department (they see its queue). */
  department: (departmentId: number) => `department:${departmentId}`,
} as const;
