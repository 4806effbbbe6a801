import assert from 'node:assert/strict';
import { deWidget, deWidgetExtra, enWidget, enWidgetExtra } from '../../../shared/i18n/widget.js';
import type { QueueStatus } from '../../../shared/schemas/routing.js';
import { formatWait, roundedWaitMinutes, waitText, type WaitTranslate } from '../../../client/widget/lib/waitText.js';

const translator = (dictionary: Record<string, string>): WaitTranslate => (key, params = {}) =>
  (dictionary[key] ?? key).replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
const de = translator(deWidget);
const en = translator(enWidget);

const status = (position: number, estimatedWaitSeconds: number | null): QueueStatus => ({
  conversationId: 'c1',
  position,
  estimatedWaitSeconds,
  agentsAvailable: estimatedWaitSeconds === null ? 0 : 1,
});

describe('widget: wait text', () => {
  it('says position and a rounded estimate', () => {
    assert.equal(waitText(status(3, 120), de), 'Sie sind Nummer 3 – etwa 2 Minuten');
    assert.equal(waitText(status(3, 120), en), 'You are number 3 – about 2 minutes');
    assert.equal(waitText(status(2, 75), de), 'Sie sind Nummer 2 – etwa 1 Minute');
    assert.equal(waitText(status(2, 75), en), 'You are number 2 – about 1 minute');
  });

  it('says "less than a minute" below 60 seconds', () => {
    assert.equal(waitText(status(2, 45), de), 'Sie sind Nummer 2 – weniger als 1 Minute');
    assert.equal(waitText(status(2, 0), en), 'You are number 2 – less than a minute');
  });

  it('tells the first in line they are next when the wait is short', () => {
    assert.equal(waitText(status(1, 30), de), 'Sie sind als Nächstes dran');
    assert.equal(waitText(status(1, 0), en), 'You are next');
    assert.equal(waitText(status(1, 31), de), 'Sie sind als Nächstes dran – weniger als 1 Minute');
    assert.equal(waitText(status(1, 240), en), 'You are next – about 4 minutes');
  });

  it('is honest when nobody is available', () => {
    assert.equal(waitText(status(1, null), de), 'Zurzeit ist niemand verfügbar. Bitte haben Sie etwas Geduld.');
    assert.equal(waitText(status(4, null), en), 'Nobody is available right now. Please bear with us.');
  });

  it('rounds minutes sensibly', () => {
    assert.equal(roundedWaitMinutes(60), 1);
    assert.equal(roundedWaitMinutes(89), 1);
    assert.equal(roundedWaitMinutes(90), 2);
    assert.equal(roundedWaitMinutes(10 * 60), 10);
    assert.equal(roundedWaitMinutes(12 * 60), 10);
    assert.equal(roundedWaitMinutes(13 * 60), 15);
    assert.equal(roundedWaitMinutes(57 * 60), 55);
    assert.equal(roundedWaitMinutes(59 * 60), 60);
    assert.equal(roundedWaitMinutes(67 * 60), 60);
    assert.equal(roundedWaitMinutes(68 * 60), 75);
  });

  it('uses hours and minutes above an hour', () => {
    assert.equal(formatWait(59 * 60, de), 'etwa 1 Stunde');
    assert.equal(formatWait(75 * 60, de), 'etwa 1 Stunde und 15 Minuten');
    assert.equal(formatWait(75 * 60, en), 'about 1 hour and 15 minutes');
    assert.equal(formatWait(2 * 3600, de), 'etwa 2 Stunden');
    assert.equal(formatWait(150 * 60, en), 'about 2 hours and 30 minutes');
    assert.equal(waitText(status(12, 3 * 3600), de), 'Sie sind Nummer 12 – etwa 3 Stunden');
  });

  it('has every widget key in German', () => {
    assert.deepEqual(Object.keys(deWidget).sort(), Object.keys(enWidget).sort());
    assert.deepEqual(Object.keys(deWidgetExtra).sort(), Object.keys(enWidgetExtra).sort());
  });
});
