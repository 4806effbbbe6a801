import assert from 'node:assert/strict';
import { de } from '../../shared/i18n/de.js';
import { en } from '../../shared/i18n/en.js';
import { pickUiLanguage, translate } from '../../shared/i18n/index.js';
import { ErrorCode } from '../../shared/errors.js';
import { deMail, enMail, translateMail } from '../../shared/i18n/mail.js';

describe('i18n', () => {
  it('picks German or English from browser preferences, German otherwise', () => {
    assert.equal(pickUiLanguage(['en-GB', 'de']), 'en');
    assert.equal(pickUiLanguage(['fr-FR', 'de-AT']), 'de');
    assert.equal(pickUiLanguage(['fr', 'it']), 'de');
    assert.equal(pickUiLanguage(['fr'], 'en'), 'en');
  });

  it('has every key in both languages and a translation for every error code', () => {
    assert.deepEqual(Object.keys(de).sort(), Object.keys(en).sort());
    for (const code of Object.values(ErrorCode)) {
      assert.ok(`error.${code}` in en, code);
      assert.notEqual(translate('de', `error.${code}` as keyof typeof en), translate('en', `error.${code}` as keyof typeof en));
    }
  });

  it('fills parameters', () => {
    assert.match(translate('de', 'error.RATE_LIMITED', { seconds: 30 }), /in 30 Sekunden/);
  });

  it('has every mail text in both languages', () => {
    assert.deepEqual(Object.keys(deMail).sort(), Object.keys(enMail).sort());
    assert.equal(translateMail('de', 'mail.created.subject', { number: 'ZT-2026-000001' }), 'Ihre Anfrage ZT-2026-000001 ist bei uns eingegangen');
  });
});
