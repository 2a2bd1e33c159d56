import { describe, expect, it } from 'vitest';
import { normaliseEmail } from './email.ts';

const ok = (input: string) => {
  const result = normaliseEmail(input);
  if (!result.ok) throw new Error(`refused ${JSON.stringify(input)}: ${result.reason}`);
  return result;
};
const refused = (input: string) => {
  const result = normaliseEmail(input);
  return result.ok ? undefined : result.reason;
};

describe('email normalisation', () => {
  it('trims, lower-cases the domain and keeps the local part for display', () => {
    expect(ok('  Ann.Lee@Example.COM ')).toEqual({
      ok: true,
      address: 'Ann.Lee@example.com',
      key: 'ann.lee@example.com',
    });
  });

  it('gives the same key to addresses that differ only by case', () => {
    expect(ok('ANN@EXAMPLE.COM').key).toBe(ok('ann@example.com').key);
  });

  it('folds full-width look-alikes to ASCII (NFKC), so they collide with the real address', () => {
    expect(ok('ａｎｎ@ｅｘａｍｐｌｅ.ｃｏｍ').key).toBe('ann@example.com');
  });

  it('stores an internationalised domain in its punycode form', () => {
    expect(ok('ann@bücher.de').address).toBe('ann@xn--bcher-kva.de');
    expect(ok('ann@例え.jp').key).toMatch(/^ann@xn--/);
  });

  it.each([
    ['zero-width space', 'ann\u200B@example.com'],
    ['zero-width joiner', 'an\u200Dn@example.com'],
    ['right-to-left override', 'ann@exa\u202Emple.com'],
    ['left-to-right isolate', '\u2066ann@example.com'],
    ['byte order mark', '\uFEFFann@example.com'],
    ['soft hyphen', 'an\u00ADn@example.com'],
    ['tag characters', 'ann\u{E0041}@example.com'],
    ['variation selector', 'ann\uFE0F@example.com'],
  ])('refuses a %s', (_what, input) => {
    expect(refused(input)).toMatch(/invisible|direction/);
  });

  it('refuses a domain that mixes Latin and Cyrillic letters (homograph)', () => {
    expect(refused('ann@p\u0430ypal.com')).toMatch(/mixes alphabets/);
  });

  it('refuses non-ASCII local parts, control characters and malformed addresses', () => {
    expect(refused('аnn@example.com')).toMatch(/ASCII/);
    expect(refused('ann\u0000@example.com')).toBeDefined();
    expect(refused('ann\n@example.com')).toBeDefined();
    for (const bad of [
      '',
      'ann',
      '@example.com',
      'ann@',
      'ann@localhost',
      'a..b@example.com',
      'ann@-x.com',
      'ann@example.c0m',
    ]) {
      expect(refused(bad), bad).toBeDefined();
    }
  });

  it('refuses addresses longer than RFC 5321 allows', () => {
    expect(refused(`${'a'.repeat(65)}@example.com`)).toMatch(/64/);
    expect(refused(`a@${'b'.repeat(64)}.com`)).toBeDefined();
    expect(refused(`${'a'.repeat(60)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`)).toMatch(
      /254/,
    );
  });
});
