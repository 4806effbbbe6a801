import assert from 'node:assert/strict';
import type { AssignmentRule } from '../../../shared/schemas/tickets.js';
import { firstMatch } from '../../../server/src/tickets/assignment.js';
import { searchTerms } from '../../../server/src/tickets/similar.js';
import { subjectFrom } from '../../../server/src/tickets/writer.js';

const rule = (r: Partial<AssignmentRule> & { id: number }): AssignmentRule => ({
  position: 100,
  departmentId: null,
  keywords: [],
  product: null,
  language: null,
  assignToAgentId: 1,
  assignToDepartmentId: null,
  active: true,
  ...r,
});

describe('ticket rules (pure)', () => {
  const ticket = { departmentId: 1, language: 'de', product: 'Fritz 7590', text: 'Betreff\nMein WLAN bricht ständig ab.' };

  it('takes the first active rule by position whose every condition holds', () => {
    const rules = [
      rule({ id: 1, position: 50, keywords: ['wlan'], language: 'en' }),
      rule({ id: 2, position: 40, keywords: ['WLAN'], active: false }),
      rule({ id: 3, position: 60, product: 'fritz 7590', departmentId: 1 }),
      rule({ id: 4, position: 60, keywords: ['wlan'] }),
    ];
    assert.equal(firstMatch(rules, ticket)?.id, 3, 'same position: the lower id');
    assert.equal(firstMatch([rule({ id: 5, departmentId: 2 })], ticket), null);
    assert.equal(firstMatch([rule({ id: 6 })], ticket)?.id, 6, 'no conditions: matches everything');
  });

  it('matches keywords as whole words or phrases, any case, umlauts included', () => {
    assert.equal(firstMatch([rule({ id: 1, keywords: ['bricht ständig'] })], ticket)?.id, 1);
    assert.equal(firstMatch([rule({ id: 1, keywords: ['WLA'] })], ticket), null);
    assert.equal(firstMatch([rule({ id: 1, keywords: ['STÄNDIG'] })], ticket)?.id, 1);
  });

  it('searches by the distinctive words, and makes a subject from the first line', () => {
    assert.deepEqual(searchTerms('Der Drucker und der Scanner sind kaputt, bitte helfen'), ['drucker', 'scanner', 'kaputt', 'helfen']);
    assert.equal(subjectFrom('\n  Erste Zeile  \nZweite', '—'), 'Erste Zeile');
    assert.equal(subjectFrom('x'.repeat(100), '—').length, 78);
    assert.equal(subjectFrom('', '—'), '—');
  });
});
