/** Every Socket.IO room name comes from here, so emitters and joiners cannot drift apart. */
export const rooms = {
  visitor: (visitorId: string) => `visitor:${visitorId}`,
  agent: (userId: number) => `agent:${userId}`,
  session: (sessionId: string) => `session:${sessionId}`,
  conversation: (conversationId: string) => `conversation:${conversationId}`,
  supervisors: () => 'supervisors',
  /** Agents who are members of a department (they see its queue). */
  department: (departmentId: number) => `department:${departmentId}`,
  /** Community (its own namespace): a topic room, one visitor's connections, the team. */
  community: (roomId: number) => `community:${roomId}`,
  communityVisitor: (visitorId: string) => `community-visitor:${visitorId}`,
  communityStaff: () => 'community-staff',
} as const;
