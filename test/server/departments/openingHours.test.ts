import assert from 'node:assert/strict';
import type { OpeningHours } from '../../../shared/schemas/departments.js';
import { isOpen, nextOpening } from '../../../server/src/departments/openingHours.js';

const office: OpeningHours = {
  timezone: 'Europe/Berlin',
  weekly: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ from: '09:00', to: '17:00' }]])),
};

describe('opening hours in the department time zone', () => {
  it('is always open without opening hours (24/7)', () => {
    assert.equal(isOpen(null, new Date('2026-12-25T03:00:00Z')), true);
    assert.equal(nextOpening(null, new Date()), null);
  });

  it('uses Berlin local time in winter (UTC+1) and summer (UTC+2)', () => {
    // Monday 23 Nov 2026, 08:30 UTC = 09:30 Berlin
    assert.equal(isOpen(office, new Date('2026-11-23T08:30:00Z')), true);
    assert.equal(isOpen(office, new Date('2026-11-23T07:59:00Z')), false);
    assert.equal(isOpen(office, new Date('2026-11-23T16:00:00Z')), false, '17:00 Berlin is closing time');
    // Monday 15 Jun 2026, 07:30 UTC = 09:30 Berlin (summer time)
    assert.equal(isOpen(office, new Date('2026-06-15T07:30:00Z')), true);
    assert.equal(isOpen(office, new Date('2026-06-15T15:30:00Z')), false);
  });

  it('is closed at weekends and finds Monday morning as the next opening', () => {
    const saturday = new Date('2026-11-28T12:00:00Z');
    assert.equal(isOpen(office, saturday), false);
    assert.equal(nextOpening(office, saturday)?.toISOString(), '2026-11-30T08:00:00.000Z');
  });

  it('finds the same day opening before hours, and the next day after hours', () => {
    assert.equal(nextOpening(office, new Date('2026-11-24T05:00:00Z'))?.toISOString(), '2026-11-24T08:00:00.000Z');
    assert.equal(nextOpening(office, new Date('2026-11-24T17:00:00Z'))?.toISOString(), '2026-11-25T08:00:00.000Z');
  });

  it('gets the day of a DST change right', () => {
    // Sunday 29 Mar 2026 clocks go forward; Monday 30 Mar opens 09:00 CEST = 07:00 UTC.
    assert.equal(nextOpening(office, new Date('2026-03-28T12:00:00Z'))?.toISOString(), '2026-03-30T07:00:00.000Z');
  });

  it('supports split shifts and 24:00 closing', () => {
    const split: OpeningHours = { timezone: 'UTC', weekly: { mon: [{ from: '08:00', to: '12:00' }, { from: '13:00', to: '24:00' }] } };
    assert.equal(isOpen(split, new Date('2026-11-23T12:30:00Z')), false);
    assert.equal(isOpen(split, new Date('2026-11-23T23:59:00Z')), true);
    assert.equal(nextOpening(split, new Date('2026-11-23T12:30:00Z'))?.toISOString(), '2026-11-23T13:00:00.000Z');
  });
});
