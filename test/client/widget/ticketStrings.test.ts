import assert from 'node:assert/strict';
import { deWidget, enWidget } from '../../../shared/i18n/widget.js';
import { deWidgetTickets, enWidgetTickets } from '../../../shared/i18n/widgetTickets.js';

describe('widget ticket strings', () => {
  it('has every ticket and tracking-page text in both languages', () => {
    assert.deepEqual(Object.keys(deWidgetTickets).sort(), Object.keys(enWidgetTickets).sort());
    for (const [key, text] of Object.entries(deWidgetTickets)) assert.ok(text.trim().length > 0, key);
  });

  it('keeps its keys apart from the core strings (they are loaded on demand)', () => {
    const core = new Set([...Object.keys(enWidget), ...Object.keys(deWidget)]);
    assert.deepEqual(Object.keys(enWidgetTickets).filter((key) => core.has(key)), []);
  });

  it('uses the same placeholders in both languages', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(enWidgetTickets) as (keyof typeof enWidgetTickets)[]) {
      assert.deepEqual(placeholders(deWidgetTickets[key]), placeholders(enWidgetTickets[key]), key);
    }
  });
});
