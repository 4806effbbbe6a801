import { DateTime } from 'luxon';
import { weekdays, type OpeningHours } from '../../../shared/schemas/departments.js';

const minutesOf = (clock: string): number => {
  const [h, m] = clock.split(':').map(Number);
  return h! * 60 + m!;
};

/** Opening intervals of one local calendar day, as minutes since local midnight. */
function intervalsOn(hours: NonNullable<OpeningHours>, day: DateTime): Array<[number, number]> {
  const key = weekdays[day.weekday - 1]!;
  return (hours.weekly[key] ?? []).map((i) => [minutesOf(i.from), minutesOf(i.to)]);
}

/** True when the department is open at `at`, in the department's own time zone (DST included). */
export function isOpen(hours: OpeningHours, at: Date): boolean {
  if (hours === null) return true;
  const local = DateTime.fromJSDate(at, { zone: hours.timezone });
  const minute = local.hour * 60 + local.minute;
  return intervalsOn(hours, local).some(([from, to]) => minute >= from && minute < to);
}

/** The next moment the department opens after `at` (looking a week ahead), or null. */
export function nextOpening(hours: OpeningHours, at: Date): Date | null {
  if (hours === null) return null;
  const local = DateTime.fromJSDate(at, { zone: hours.timezone });
  for (let offset = 0; offset <= 7; offset++) {
    const day = local.plus({ days: offset }).startOf('day');
    for (const [from] of intervalsOn(hours, day).sort((a, b) => a[0] - b[0])) {
      const start = day.plus({ minutes: from });
      if (start > local) return start.toJSDate();
    }
  }
  return null;
}

export const isValidTimeZone = (zone: string): boolean => DateTime.local().setZone(zone).isValid;
