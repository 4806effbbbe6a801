/** One AudioContext for all meters (browsers limit how many a page may have). */
let context: AudioContext | null = null;

/** Updates per second: enough for a bar that looks alive, cheap on a busy console. */
const UPDATES_PER_SECOND = 12;

/**
 * Reports a stream's loudness (0–1) a few times a second until the returned stop is called.
 * Time-domain RMS from an AnalyserNode; nothing is routed to the speakers.
 */
export function watchLevel(stream: MediaStream, onLevel: (level: number) => void): () => void {
  if (typeof AudioContext === 'undefined' || stream.getAudioTracks().length === 0) return () => undefined;
  context ??= new AudioContext();
  // Started without a click (e.g. an accepted call request): resumes once the page was used.
  if (context.state === 'suspended') void context.resume().catch(() => undefined);
  const source = context.createMediaStreamSource(stream);
  const analyser = context.createAnalyser();
  analyser.fftSize = 512;
  source.connect(analyser);
  const samples = new Uint8Array(analyser.fftSize);
  let frame = 0;
  let last = 0;
  const tick = (now: number): void => {
    frame = requestAnimationFrame(tick);
    if (now - last < 1000 / UPDATES_PER_SECOND) return;
    last = now;
    analyser.getByteTimeDomainData(samples);
    let sum = 0;
    for (const sample of samples) sum += ((sample - 128) / 128) ** 2;
    // Speech RMS sits around 0.05–0.3; scale so normal talking fills most of the bar.
    onLevel(Math.min(1, Math.sqrt(sum / samples.length) * 4));
  };
  frame = requestAnimationFrame(tick);
  return () => {
    cancelAnimationFrame(frame);
    source.disconnect();
    analyser.disconnect();
  };
}
