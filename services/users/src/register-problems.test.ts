import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testUrls, uniqueName } from '@emporium/platform/testing';
import { usersHarness, type UsersHarness } from './testing/harness.ts';
import { client } from './testing/requests.ts';

// The common mistakes of a new user get one clear line per field, not the schema validator's words.
describe(`registration problems (${testUrls.database ? 'PostgreSQL' : 'PGlite'})`, () => {
  let h: UsersHarness;
  beforeAll(async () => (h = await usersHarness()));
  afterAll(() => h.close());

  const cases: [string, Record<string, unknown>, { field: string; message: string }[]][] = [
    [
      'a weak password',
      { password: 'password' },
      [{ field: 'password', message: expect.stringContaining('too common') }],
    ],
    [
      'a short password',
      { password: 'short' },
      [{ field: 'password', message: 'must be at least 8 characters long' }],
    ],
    [
      'a bad e-mail',
      { email: 'ann.example.com' },
      [{ field: 'email', message: 'must look like name@example.com' }],
    ],
    [
      'an unknown role',
      { role: 'admin' },
      [{ field: 'body.role', message: 'must be one of customer, seller' }],
    ],
    [
      'an unknown field',
      { nickname: 'ann' },
      [{ field: 'body.nickname', message: 'is not a field of this request' }],
    ],
    ['a number for a name', { name: 42 }, [{ field: 'body.name', message: 'must be a string' }]],
  ];
  for (const [what, body, errors] of cases)
    it(`names the field of ${what}`, async () => {
      const email = `${uniqueName('reg')}@example.com`;
      const res = await client(h.app).register({ email, ...body });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors).toEqual(errors);
      expect(await h.users.store.userByEmailKey(email)).toBeUndefined();
    });

  it('names every missing field once', async () => {
    const res = await client(h.app).call('POST', '/api/v1/auth/register', { email: 'ann@example.com' });
    expect(res.json().errors).toEqual([
      { field: 'body.password', message: 'is required' },
      { field: 'body.name', message: 'is required' },
      { field: 'body.role', message: 'is required' },
    ]);
    expect(res.json().detail).toBe(
      'Invalid body: body.password is required; body.name is required; body.role is required',
    );
  });
});
