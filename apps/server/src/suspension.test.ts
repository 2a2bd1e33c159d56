/**
 * Issue 19, item 4: a suspended account's unexpired access token is refused on every route at once, not
 * only on /me and refresh, and works again once the account is reinstated (ADR 0509). One process here;
 * gateway-process.test.ts runs the same check through a gateway in front of the services.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startTestStore, type TestStore } from './testing/test-store.ts';
import { expectSuspensionAtOnce, SUSPENSION_ADMIN } from './testing/suspension.ts';

let server: TestStore;

beforeAll(async () => {
  server = await startTestStore({
    ADMIN_EMAIL: SUSPENSION_ADMIN.email,
    ADMIN_PASSWORD: SUSPENSION_ADMIN.password,
  });
}, 180_000);

afterAll(async () => {
  await server?.close();
});

describe('suspension', () => {
  it("refuses a suspended customer's token on checkout, cart and /me at once, and lets it in once reinstated", async () => {
    await expectSuspensionAtOnce(server);
  });
});
