/**
 * Opening the microphone, with the failures a person can act on told apart. Kept free of
 * mediasoup so the widget can check permission before it loads any call code.
 */
export type MicProblem = 'denied' | 'notFound' | 'inUse' | 'insecure' | 'unknown';

export class MicrophoneError extends Error {
  readonly problem: MicProblem;
  constructor(problem: MicProblem, cause?: unknown) {
    super(`microphone: ${problem}`, { cause });
    this.problem = problem;
  }
}

/** DOMException names from getUserMedia → what we can tell the person. */
export function micProblemOf(error: unknown): MicProblem {
  if (error instanceof MicrophoneError) return error.problem;
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
      return 'denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'notFound';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'inUse';
    case 'SecurityError':
      return 'insecure';
    default:
      return 'unknown';
  }
}

/** Voice-tuned capture: the browser's echo cancelling matters most with laptop speakers. */
export async function openMicrophone(): Promise<MediaStream> {
  // getUserMedia does not exist outside a secure context (plain http on a real host).
  if (typeof window !== 'undefined' && (!window.isSecureContext || !navigator.mediaDevices?.getUserMedia)) {
    throw new MicrophoneError('insecure');
  }
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      video: false,
    });
  } catch (error) {
    throw new MicrophoneError(micProblemOf(error), error);
  }
}

/** Asks for permission once (before a call request), then lets go of the device. */
export async function checkMicrophone(): Promise<MicProblem | null> {
  try {
    const stream = await openMicrophone();
    for (const track of stream.getTracks()) track.stop();
    return null;
  } catch (error) {
    return micProblemOf(error);
  }
}

export function stopStream(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}
