import type { WidgetKey } from '../../../shared/i18n/widget.js';
import type { QueueStatus } from '../../../shared/schemas/routing.js';

type WaitKey = Extract<WidgetKey, `widget.queue.${string}` | `widget.wait.${string}`>;
/** Any translate function that knows the queue and wait strings (the widget's `locale.t`). */
export type WaitTranslate = (key: WaitKey, params?: Record<string, string | number>) => string;

/** At most this long, the first in line is told "you are next" without a duration. */
export const NEXT_UP_SECONDS = 30;

/**
 * Rounds a wait to what a person would say: below a minute "less than a minute"; then whole
 * minutes up to 10, steps of 5 minutes up to an hour, steps of 15 minutes beyond (an estimate
 * is never that precise).
 */
export function roundedWaitMinutes(seconds: number): number {
  const minutes = Math.max(1, Math.round(seconds / 60));
  if (minutes <= 10) return minutes;
  if (minutes < 58) return Math.round(minutes / 5) * 5;
  return Math.max(60, Math.round(minutes / 15) * 15);
}

/** "etwa 2 Minuten", "weniger als 1 Minute", "etwa 1 Stunde und 15 Minuten". */
export function formatWait(seconds: number, t: WaitTranslate): string {
  if (seconds < 60) return t('widget.wait.lessThanMinute');
  const total = roundedWaitMinutes(seconds);
  const hours = Math.floor(total / 60);
  const minutes = total % 60;
  const minutePart = minutes === 1 ? t('widget.wait.minute') : t('widget.wait.minutes', { n: minutes });
  if (hours === 0) return t('widget.wait.about', { duration: minutePart });
  const hourPart = hours === 1 ? t('widget.wait.hour') : t('widget.wait.hours', { n: hours });
  const duration = minutes === 0 ? hourPart : t('widget.wait.hoursMinutes', { hours: hourPart, minutes: minutePart });
  return t('widget.wait.about', { duration });
}

/**
 * The waiting visitor's main line: position and a rounded estimate, "you are next", or the
 * honest "nobody is available" when no estimate exists (nobody who could serve the chat is on).
 */
export function waitText(status: QueueStatus, t: WaitTranslate): string {
  const seconds = status.estimatedWaitSeconds;
  if (seconds === null) return t('widget.queue.nobody');
  if (status.position <= 1) {
    return seconds <= NEXT_UP_SECONDS ? t('widget.queue.next') : t('widget.queue.nextWait', { wait: formatWait(seconds, t) });
  }
  return t('widget.queue.position', { position: status.position, wait: formatWait(seconds, t) });
}
