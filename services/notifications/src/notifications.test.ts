import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, newId, type Infrastructure } from '@emporium/platform';
import { testInfrastructure, uniqueName } from '@emporium/platform/testing';
import { createNotificationsService } from './service.ts';
import { fileNotifier } from './notifiers.ts';
import { notificationSettings } from './settings.ts';
import { anOrder, directory, paidEvent, refundEvent, statusEvent } from './test-support.ts';
import type { Notifier, OutgoingMessage } from './types.ts';

let infra: Infrastructure;
let dataDir: string;
const schemas: string[] = [];

beforeAll(async () => {
  infra = await testInfrastructure();
  dataDir = await mkdtemp(join(tmpdir(), 'notifications-'));
  // Starting PGlite takes tens of seconds on a loaded machine.
}, 180_000);
afterAll(async () => {
  for (const schema of schemas)
    await infra.db.forSchema(schema).schema.dropSchema(schema).cascade().execute();
  await infra.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** A notifications service on a schema and mail folder of its own, its job off: tests drive delivery. */
async function build(options: Parameters<typeof createNotificationsService>[2] = {}) {
  const schema = uniqueName('t_notify');
  schemas.push(schema);
  const config = loadConfig({ DATA_DIR: join(dataDir, schema) });
  const settings = notificationSettings({ STOREFRONT_URL: 'https://shop.example' }, config);
  const people = directory();
  const service = await createNotificationsService({ config, infra, settings }, people.deps, {
    deliveryIntervalMs: 0,
    schema,
    ...options,
  });
  const mails = async () => {
    const files = await readdir(settings.mailDir).catch(() => [] as string[]);
    const raw = await Promise.all(
      files.filter((f) => f.endsWith('.eml')).map((f) => readFile(join(settings.mailDir, f), 'utf8')),
    );
    return raw.map(decodeQuotedPrintable);
  };
  const settle = async () => {
    await service.api.delivery.deliverDue();
  };
  return { ...service, ...people, settings, mails, settle };
}

/** Soft line breaks and escapes undone, so assertions read the text a mail client shows. */
const decodeQuotedPrintable = (mail: string) =>
  mail
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/** Records what it was given, and can be told to fail the next sends. */
function recordingNotifier(): Notifier & { sent: OutgoingMessage[]; failNext: number } {
  const n = {
    kind: 'file' as const,
    sent: [] as OutgoingMessage[],
    failNext: 0,
    async send(message: OutgoingMessage) {
      if (n.failNext > 0) {
        n.failNext--;
        throw new Error('421 try again later');
      }
      n.sent.push(message);
    },
    async close() {},
  };
  return n;
}

describe('notifications from domain events', () => {
  it('confirms a paid order to the customer and tells each seller about its own lines only', async () => {
    const s = await build();
    const customer = s.person('Ada');
    const [north, south] = [s.person('North Shop'), s.person('South Shop')];
    const order = anOrder(customer.id, [
      { id: north.id, titles: ['Brass lamp', '<script>alert(1)</script> Kettle'] },
      { id: south.id, titles: ['Oak table'] },
    ]);
    s.addOrder(order);
    await infra.bus.publish(paidEvent(order));
    await s.settle();

    const mails = await s.mails();
    expect(mails).toHaveLength(3);
    const to = (m: string) => /^To: (.*)$/m.exec(m)?.[1] ?? '';
    const forCustomer = mails.find((m) => to(m).includes(customer.email))!;
    expect(forCustomer).toMatch(/^Subject: Your order #\w{8} is confirmed$/m);
    expect(forCustomer).toContain('Oak table');
    expect(forCustomer).toContain('Brass lamp');
    expect(forCustomer).toContain('multipart/alternative');
    // The title a seller typed is text in the HTML part, never markup.
    const htmlPart = forCustomer.slice(forCustomer.indexOf('Content-Type: text/html'));
    expect(htmlPart).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Kettle');
    expect(htmlPart).not.toMatch(/<script>alert/);
    const forNorth = mails.find((m) => to(m).includes(north.email))!;
    expect(forNorth).toMatch(/^Subject: New order #\w{8} to fulfil$/m);
    expect(forNorth).toContain('Brass lamp');
    expect(forNorth).not.toContain('Oak table');
    expect(forNorth).toContain('https://shop.example/seller/orders/' + order.id);
    const forSouth = mails.find((m) => to(m).includes(south.email))!;
    expect(forSouth).toContain('Oak table');
    expect(forSouth).not.toContain('Brass lamp');

    const listed = await s.api.listFor(customer.id);
    expect(listed).toEqual([
      expect.objectContaining({ kind: 'order_confirmed', status: 'sent', orderId: order.id }),
    ]);
    expect(await s.api.listFor(north.id)).toEqual([expect.objectContaining({ kind: 'seller_new_order' })]);
    await s.module.stop?.();
  });

  it('sends one message per event and recipient, however often the event is delivered', async () => {
    const notifier = recordingNotifier();
    const s = await build({ notifier });
    const customer = s.person('Grace');
    const seller = s.person('Hopper Goods');
    const order = anOrder(customer.id, [{ id: seller.id, titles: ['Compiler'] }]);
    s.addOrder(order);
    const event = paidEvent(order);
    await infra.bus.publish(event);
    await s.settle();
    await infra.bus.publish(event);
    await Promise.all([infra.bus.publish(event), s.settle(), s.settle()]);
    await s.settle();
    expect(notifier.sent.map((m) => m.to.address).sort()).toEqual([customer.email, seller.email].sort());
    await s.module.stop?.();
  });

  it('tells the customer about shipping, delivery, returns and refunds, and not about internal steps', async () => {
    const notifier = recordingNotifier();
    const s = await build({ notifier });
    const customer = s.person('Katherine');
    const order = anOrder(customer.id, [{ id: s.person('Seller').id, titles: ['Slide rule'] }]);
    s.addOrder(order);
    for (const status of [
      'fulfilling',
      'partially_shipped',
      'shipped',
      'delivered',
      'return_requested',
      'returned',
    ])
      await infra.bus.publish(statusEvent(order, status));
    await infra.bus.publish(refundEvent(order, 1250));
    await s.settle();
    expect(notifier.sent.map((m) => m.subject.replace(/#\w{8}/, '#ref'))).toEqual([
      'Part of your order #ref has shipped',
      'Your order #ref has shipped',
      'Your order #ref was delivered',
      'We received your return request for order #ref',
      'Your return for order #ref has arrived',
      'Refund for order #ref',
    ]);
    expect(notifier.sent.at(-1)!.text).toContain('$12.50');
    await s.module.stop?.();
  });

  it('retries a failed send with growing pauses and gives up after the allowed attempts', async () => {
    const notifier = recordingNotifier();
    const s = await build({ notifier, retryBaseMs: 1, retryMaxMs: 5 });
    const customer = s.person('Barbara');
    const order = anOrder(customer.id, [{ id: s.person('Seller').id, titles: ['Punch card'] }]);
    s.addOrder(order);
    notifier.failNext = 2;
    await infra.bus.publish(statusEvent(order, 'shipped'));
    for (let i = 0; i < 10 && notifier.sent.length === 0; i++) {
      await s.settle();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(notifier.sent).toHaveLength(1);
    expect((await s.api.listFor(customer.id))[0]).toMatchObject({ status: 'sent' });

    notifier.failNext = 1_000;
    await infra.bus.publish(statusEvent(order, 'delivered'));
    for (let i = 0; i < 30; i++) {
      await s.settle();
      await new Promise((r) => setTimeout(r, 10));
    }
    const delivered = (await s.api.listFor(customer.id)).find((n) => n.kind === 'order_delivered');
    expect(delivered).toMatchObject({ status: 'failed' });
    expect(notifier.sent).toHaveLength(1);
    await s.module.stop?.();
  });

  it('keeps notices while users or orders are unreachable and sends them once they answer', async () => {
    const notifier = recordingNotifier();
    const s = await build({ notifier, retryBaseMs: 1, retryMaxMs: 2 });
    const customer = s.person('Mary');
    const order = anOrder(customer.id, [{ id: s.person('Seller').id, titles: ['Loom'] }]);
    s.addOrder(order);
    s.state.down = true;
    await infra.bus.publish(statusEvent(order, 'shipped'));
    await s.settle();
    expect(notifier.sent).toHaveLength(0);
    s.state.down = false;
    await expect
      .poll(async () => (await s.settle(), notifier.sent.length), { timeout: 20_000, interval: 50 })
      .toBe(1);
    await s.module.stop?.();
  });

  it('marks a notice for an unknown user undeliverable instead of retrying it forever', async () => {
    const notifier = recordingNotifier();
    const s = await build({ notifier });
    const ghost = newId();
    const order = anOrder(ghost, [{ id: s.person('Seller').id, titles: ['Nothing'] }]);
    s.addOrder(order);
    await infra.bus.publish(statusEvent(order, 'shipped'));
    await s.settle();
    expect(notifier.sent).toHaveLength(0);
    expect(await s.api.listFor(ghost)).toEqual([expect.objectContaining({ status: 'undeliverable' })]);
    await s.module.stop?.();
  });

  it('resends after a crash between sending and recording, with the same Message-ID and the same file', async () => {
    const settingsDir = join(dataDir, uniqueName('crash'));
    const files = fileNotifier(settingsDir);
    const sent: OutgoingMessage[] = [];
    const counting: Notifier = {
      kind: 'file',
      send: async (m) => (sent.push(m), files.send(m)),
      close: files.close,
    };
    // The first sender "dies" after the message went out: its record never happens.
    let crashed = false;
    const first = await build({
      notifier: counting,
      claimMs: 200,
      afterSend: async () => {
        if (!crashed) {
          crashed = true;
          await new Promise<never>(() => undefined);
        }
      },
    });
    const customer = first.person('Alan');
    const order = anOrder(customer.id, [{ id: first.person('Seller').id, titles: ['Bombe'] }]);
    first.addOrder(order);
    await infra.bus.publish(statusEvent(order, 'delivered'));
    void first.api.delivery.deliverDue();
    await expect.poll(() => sent.length).toBe(1);
    expect((await first.api.listFor(customer.id))[0]).toMatchObject({ status: 'pending' });

    // Another sender on the same sent-log picks the notice up once the dead one's claim lapsed.
    await new Promise((r) => setTimeout(r, 300));
    const { Delivery } = await import('./delivery.ts');
    const { NotificationsStore } = await import('./store.ts');
    const schema = schemas.at(-1)!;
    const store = new NotificationsStore(infra.db.forSchema(schema));
    const restarted = new Delivery(store, counting, directoryOf(first), first.settings, infra.logger);
    expect(await restarted.deliverDue()).toBe(1);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.messageId).toBe(sent[0]!.messageId);
    expect(await readdir(settingsDir)).toEqual([expect.stringMatching(/\.eml$/)]);
    expect((await first.api.listFor(customer.id))[0]).toMatchObject({ status: 'sent' });
    expect(await restarted.deliverDue()).toBe(0);
  });
});

const directoryOf = (s: { deps: ReturnType<typeof directory>['deps'] }) => s.deps;

describe('notification settings', () => {
  const config = { dataDir: '/var/emporium' };
  it('write files under DATA_DIR/mail unless SMTP_URL is set', () => {
    expect(notificationSettings({}, config)).toMatchObject({
      smtpUrl: undefined,
      mailDir: '/var/emporium/mail',
    });
    expect(notificationSettings({ SMTP_URL: 'smtp://mail.example:587' }, config).smtpUrl).toBe(
      'smtp://mail.example:587',
    );
  });
  it('refuse an SMTP_URL that is not smtp or smtps, and a From that is not an address', () => {
    expect(() => notificationSettings({ SMTP_URL: 'http://mail.example' }, config)).toThrow(/SMTP_URL/);
    expect(() => notificationSettings({ NOTIFY_FROM: 'Shop\r\nBcc: x@evil.example' }, config)).toThrow(
      /NOTIFY_FROM/,
    );
  });
});
