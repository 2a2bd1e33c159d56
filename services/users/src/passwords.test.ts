import { describe, expect, it } from 'vitest';
import { isCommonPassword } from './common-passwords.ts';
import { ARGON2_PARAMS, PasswordHasher, passwordProblems } from './passwords.ts';

describe('password policy', () => {
  it('requires 8 to 128 characters, counted as code points', () => {
    expect(passwordProblems('short1!', {})[0]?.message).toMatch(/at least 8/);
    expect(passwordProblems('x'.repeat(129), {})[0]?.message).toMatch(/at most 128/);
    expect(passwordProblems('🦊🦊🦊🦊🐺🐺🐺🐺', {})).toEqual([]);
  });

  it.each([
    'password',
    'Password1!',
    'P@ssw0rd2024',
    'qwertyuiop',
    'iloveyou123',
    '12345678',
    'aaaaaaaa',
    'abcabcabc',
    'emporium1',
    'monkey2024!',
  ])('refuses the common password %s with a clear message', (password) => {
    expect(passwordProblems(password, {})[0]?.message).toMatch(/too common or too easy to guess/);
  });

  it('refuses a password made of the email or the name', () => {
    expect(isCommonPassword('annabelle99', { email: 'annabelle@example.com' })).toBe(true);
    expect(isCommonPassword('Fitzgerald!', { name: 'Ann Fitzgerald' })).toBe(true);
  });

  it('accepts long or unpredictable passwords', () => {
    for (const password of [
      'violet-harbour-7-lantern',
      'q83920174',
      'Tr7#kq!29zz',
      'correct horse battery staple',
    ]) {
      expect(passwordProblems(password, { email: 'ann@example.com', name: 'Ann' }), password).toEqual([]);
    }
  });
});

describe('argon2id hashing', () => {
  const hasher = new PasswordHasher();

  it('hashes with argon2id at the chosen parameters and verifies', async () => {
    const hash = await hasher.hash('violet-harbour-7-lantern');
    expect(hash).toMatch(
      new RegExp(
        `^\\$argon2id\\$v=19\\$m=${ARGON2_PARAMS.memoryCost},p=${ARGON2_PARAMS.parallelism},t=${ARGON2_PARAMS.timeCost}\\$`,
      ),
    );
    expect(await hasher.verify(hash, 'violet-harbour-7-lantern')).toBe(true);
    expect(await hasher.verify(hash, 'violet-harbour-7-lanterN')).toBe(false);
    expect(hasher.needsRehash(hash)).toBe(false);
  });

  it('verifies the same password typed in another Unicode form (NFKC)', async () => {
    const hash = await hasher.hash('ｆｕｌｌｗｉｄｔｈ-pass-42');
    expect(await hasher.verify(hash, 'fullwidth-pass-42')).toBe(true);
  });

  it('asks for a rehash of hashes made with weaker parameters', async () => {
    const weak = await new PasswordHasher({ ...ARGON2_PARAMS, memoryCost: 8192, timeCost: 1 }).hash(
      'x-y-z-1234',
    );
    expect(hasher.needsRehash(weak)).toBe(true);
  });

  it('treats a malformed stored hash as a failed verification', async () => {
    expect(await hasher.verify('not a hash', 'whatever-123')).toBe(false);
  });
});
