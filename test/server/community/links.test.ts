import assert from 'node:assert/strict';
import { countLinks } from '../../../server/src/community/links.js';

describe('community link count: what clients would link, tricks included', () => {
  const cases: Array<[string, number]> = [
    ['Kanal 1, 6 oder 11 probieren', 0],
    ['Version 1.2.3, z.B. so. Mein Router.Der ist kaputt.Bitte helfen', 0],
    ['Siehe https://example.de/faq', 1],
    ['https://web.archive.org/web/2020/https://example.com', 1],
    ['https://www.example.com/pfad//weiter', 1],
    ['www.example.com.au', 1],
    ['www.company.com', 1],
    ['mail an a@b.de', 1],
    ['http://a.example http://b.example', 2],
    ['a.com b.com c.com', 3],
    ['a.com,b.org;c.net', 3],
    ['bit.ly/x bit.ly/y bit.ly/z', 3],
    ['http://a.comhttp://b.comhttp://c.com', 3],
    ['www.a.comwww.b.comwww.c.com', 3],
    ['a.com.b.com.c.com', 3],
    ['a.comb.comc.com', 3],
    ['spam.xyzspam.xyzspam.xyz', 3],
    ['example.com'.repeat(10), 10],
    ['ｅｘａｍｐｌｅ．ｃｏｍ', 1],
    ['b。com', 1],
    ['c\u200b.com sp\u00adam.org', 2],
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)} has ${expected}`, () => {
      assert.equal(countLinks(text), expected);
    });
  }
});
