import assert from 'node:assert/strict';
import { nameClash } from '../../../server/src/community/names.js';

describe('community names that could pass for the team', () => {
  const staff = ['Tom Becker', 'Ali', 'Lisa Müller'];
  const reserved = ['Support', 'Suppоrt' /* Cyrillic о */, 'Аdmin Team' /* Cyrillic А */, 'Support2', 'S u p p o r t', 'SUPP0RT', 'ｓｕｐｐｏｒｔ', 'Sup-port', 'Şupport', 'Zentrale-Hilfe', 'Moderat0r', 'TheAdmin', 'supportteam', 'Staff'];
  for (const name of reserved) {
    it(`${JSON.stringify(name)} is reserved`, () => assert.equal(nameClash(name, staff), 'reserved'));
  }
  const staffLike = ['Tom Becker', 'tom.becker', 'T0m  Becker', 'Becker Tom', 'Tom Becker Fan', 'Ali', 'Lisa Muller', 'Iisa Müller'];
  for (const name of staffLike) {
    it(`${JSON.stringify(name)} is a team member’s name`, () => assert.equal(nameClash(name, staff), 'staff'));
  }
  const free = ['Anja', 'Carla', 'Alina', 'Tomke Berg', 'Erika Muster', 'Mod', 'Lena'];
  for (const name of free) {
    it(`${JSON.stringify(name)} is free`, () => assert.equal(nameClash(name, staff), null));
  }
});
