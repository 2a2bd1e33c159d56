import argon2 from 'argon2';
import type { FieldError } from '@emporium/platform';
import { isCommonPassword } from './common-passwords.ts';

/**
 * argon2id parameters (ADR 0500): OWASP's first recommended setting, 19 MiB, 2 passes, 1 lane. Measured
 * on this 2-core machine by `npm run bench -- auth`; stronger settings cost several times the CPU per
 * login for the same memory-hardness class. Hashes carry their parameters, so raising these later
 * rehashes each account at its next successful login.
 */
export const ARGON2_PARAMS = {
  type: argon2.argon2id as 2,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};
export type Argon2Params = typeof ARGON2_PARAMS;

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** NIST 800-63B: compare passwords after Unicode normalisation, so the same keys always verify. */
const prepare = (password: string) => password.normalize('NFKC');

export class PasswordHasher {
  private dummy: Promise<string> | undefined;

  constructor(private readonly params: Argon2Params = ARGON2_PARAMS) {}

  hash(password: string): Promise<string> {
    return argon2.hash(prepare(password), this.params);
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, prepare(password));
    } catch {
      return false;
    }
  }

  needsRehash(hash: string): boolean {
    return argon2.needsRehash(hash, this.params);
  }

  /**
   * Spends the same time as a real verification, for an email that has no account: the answer's timing
   * must not tell whether the email exists.
   */
  async verifyAgainstDummy(password: string): Promise<false> {
    this.dummy ??= this.hash('dummy password that matches nothing');
    await this.verify(await this.dummy, password);
    return false;
  }
}

/** Refusals are clear and name the field; the password itself is never echoed or logged. */
export function passwordProblems(
  password: string,
  context: { email?: string; name?: string },
  field = 'password',
): FieldError[] {
  const length = [...prepare(password)].length;
  if (length < PASSWORD_MIN) return [{ field, message: `must be at least ${PASSWORD_MIN} characters long` }];
  if (length > PASSWORD_MAX) return [{ field, message: `must be at most ${PASSWORD_MAX} characters long` }];
  if (isCommonPassword(password, context)) {
    return [
      {
        field,
        message:
          'is too common or too easy to guess (it is on a list of passwords attackers try first); choose a longer or less predictable one',
      },
    ];
  }
  return [];
}
