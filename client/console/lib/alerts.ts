/**
 * Attention for incoming offers: a short chime made with WebAudio (no audio file) and a desktop
 * notification. Browsers allow audio and the permission prompt only after a user gesture, so
 * `prepareAlerts()` is called from one (the agent choosing "available", any click).
 */
let audio: AudioContext | null = null;

/** Call from a user gesture: unlocks audio and asks for notification permission once. */
export function prepareAlerts(askPermission: boolean): void {
  try {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') void audio.resume();
  } catch {
    audio = null; // no WebAudio: silent offers
  }
  if (askPermission && typeof Notification !== 'undefined' && Notification.permission === 'default') {
    // A denied permission is fine: the in-page card and sound still work.
    void Notification.requestPermission().catch(() => undefined);
  }
}

export function notificationsState(): NotificationPermission | 'unsupported' {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/** Two rising tones, ~0.4 s. */
export function playChime(): void {
  const ctx = audio;
  if (!ctx || ctx.state !== 'running') return;
  const start = ctx.currentTime + 0.01;
  for (const [offset, frequency] of [
    [0, 660],
    [0.18, 880],
  ] as const) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'sine';
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.25, start + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.22);
    osc.connect(gain).connect(ctx.destination);
    osc.start(start + offset);
    osc.stop(start + offset + 0.25);
  }
}

/** A desktop notification when the console is not in view; clicking it focuses the tab. */
export function notify(title: string, body: string, tag: string): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  if (document.visibilityState === 'visible' && document.hasFocus()) return;
  try {
    const notification = new Notification(title, { body, tag, requireInteraction: true });
    notification.onclick = () => {
      window.focus();
      notification.close();
    };
  } catch {
    // Some browsers only allow notifications from a service worker; the card is enough.
  }
}
