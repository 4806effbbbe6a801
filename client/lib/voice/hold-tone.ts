/**
 * A soft two-note chime every few seconds while the caller is on hold, so silence does not
 * sound like a dropped line. Generated with WebAudio: no audio file to download.
 */
const EVERY_MS = 4_000;

export function startHoldTone(): () => void {
  if (typeof AudioContext === 'undefined') return () => undefined;
  const context = new AudioContext();
  const gain = context.createGain();
  gain.gain.value = 0;
  gain.connect(context.destination);
  const chime = (): void => {
    const start = context.currentTime + 0.05;
    [523.25, 659.25].forEach((frequency, i) => {
      const oscillator = context.createOscillator();
      oscillator.type = 'sine';
      oscillator.frequency.value = frequency;
      const note = context.createGain();
      const at = start + i * 0.35;
      note.gain.setValueAtTime(0, at);
      note.gain.linearRampToValueAtTime(0.06, at + 0.05);
      note.gain.exponentialRampToValueAtTime(0.0001, at + 0.6);
      oscillator.connect(note).connect(context.destination);
      oscillator.start(at);
      oscillator.stop(at + 0.65);
    });
  };
  void context.resume().catch(() => undefined);
  chime();
  const timer = setInterval(chime, EVERY_MS);
  return () => {
    clearInterval(timer);
    void context.close().catch(() => undefined);
  };
}
