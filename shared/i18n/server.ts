/** Texts the server writes into conversations (system messages), in the conversation's language. */
export const enServer = {
  'system.agentJoined': 'You are now talking to {agent}.',
  'system.callStarted': 'Call started.',
  'system.callEnded': 'Call ended ({duration}).',
  'system.agentLeft': '{agent} has left the conversation.',
  'system.requeued': 'We are connecting you to the next available colleague. Your messages are kept.',
  'system.closedByAgent': '{agent} has ended the conversation.',
  'system.closedByVisitor': 'The conversation has ended.',
  'system.transferPending': '{agent} is connecting you with a colleague. One moment, please.',
  'system.transferNotPossible': '{agent} will keep helping you.',
  'system.transferredToDepartment': 'We are connecting you with {department}. One moment, please – your messages are kept.',
  'system.ticketCreated': 'Your request has been saved as ticket {number}. We will answer as soon as we can – your messages are kept.',
  'system.ticketCreatedClosed': 'We are closed right now. Your request has been saved as ticket {number}, and we will answer as soon as we are back.',
  'system.ticketCreatedNobodyOnline': 'Nobody is available right now. Your request has been saved as ticket {number}, and we will answer as soon as we can.',
  'system.callbackCreated': 'We will call you back at {phone}. Your callback request has the number {number}.',
} as const;

export type ServerKey = keyof typeof enServer;

export const deServer: Record<ServerKey, string> = {
  'system.agentJoined': 'Sie sprechen jetzt mit {agent}.',
  'system.callStarted': 'Anruf gestartet.',
  'system.callEnded': 'Anruf beendet ({duration}).',
  'system.agentLeft': '{agent} hat das Gespräch verlassen.',
  'system.requeued': 'Wir verbinden Sie mit der nächsten freien Kollegin oder dem nächsten freien Kollegen. Ihre Nachrichten bleiben erhalten.',
  'system.closedByAgent': '{agent} hat das Gespräch beendet.',
  'system.closedByVisitor': 'Das Gespräch wurde beendet.',
  'system.transferPending': '{agent} verbindet Sie mit einer Kollegin oder einem Kollegen. Einen Moment bitte.',
  'system.transferNotPossible': '{agent} ist weiterhin für Sie da.',
  'system.transferredToDepartment': 'Wir verbinden Sie mit {department}. Einen Moment bitte – Ihre Nachrichten bleiben erhalten.',
  'system.ticketCreated': 'Ihre Anfrage wurde als Ticket {number} gespeichert. Wir antworten so bald wie möglich – Ihre Nachrichten bleiben erhalten.',
  'system.ticketCreatedClosed': 'Wir sind gerade nicht erreichbar. Ihre Anfrage wurde als Ticket {number} gespeichert; wir antworten, sobald wir wieder da sind.',
  'system.ticketCreatedNobodyOnline': 'Gerade ist niemand erreichbar. Ihre Anfrage wurde als Ticket {number} gespeichert; wir antworten so bald wie möglich.',
  'system.callbackCreated': 'Wir rufen Sie unter {phone} zurück. Ihre Rückrufbitte hat die Nummer {number}.',
};
