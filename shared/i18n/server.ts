/** Texts the server writes into conversations (system messages), in the conversation's language. */
export const enServer = {
  'system.agentJoined': 'You are now talking to {agent}.',
  'system.agentLeft': '{agent} has left the conversation.',
  'system.requeued': 'We are connecting you to the next available colleague. Your messages are kept.',
  'system.closedByAgent': '{agent} has ended the conversation.',
  'system.closedByVisitor': 'The conversation has ended.',
} as const;

export type ServerKey = keyof typeof enServer;

export const deServer: Record<ServerKey, string> = {
  'system.agentJoined': 'Sie sprechen jetzt mit {agent}.',
  'system.agentLeft': '{agent} hat das Gespräch verlassen.',
  'system.requeued': 'Wir verbinden Sie mit der nächsten freien Kollegin oder dem nächsten freien Kollegen. Ihre Nachrichten bleiben erhalten.',
  'system.closedByAgent': '{agent} hat das Gespräch beendet.',
  'system.closedByVisitor': 'Das Gespräch wurde beendet.',
};
