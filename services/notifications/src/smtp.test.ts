// The SMTP notifier against a real SMTP server (smtp-server) on a free port: what a mail server gets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { freePort, testInfrastructure, uniqueName } from '@emporium/platform/testing';
import { loadConfig, type Infrastructure } from '@emporium/platform';
import { createNotificationsService } from './service.ts';
import { notificationSettings } from './settings.ts';
import { anOrder, directory, paidEvent } from './test-support.ts';

interface Received {
  from: string;
  to: string[];
  raw: string;
}

let infra: Infrastructure;
let server: SMTPServer;
let port: number;
const received: Received[] = [];
let refuseNext = 0;

beforeAll(async () => {
  infra = await testInfrastructure();
  port = await freePort();
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (refuseNext > 0) {
        refuseNext--;
        const busy = Object.assign(new Error('mailbox busy, try later'), { responseCode: 451 });
        return callback(busy);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  // Starting PGlite takes tens of seconds on a loaded machine.
}, 180_000);
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await infra.close();
});

describe('notifications over SMTP (SMTP_URL)', () => {
  it('hands each notice to the SMTP server once, retrying one it refused for a while', async () => {
    const schema = uniqueName('t_notify_smtp');
    const config = loadConfig({ DATA_DIR: '/nonexistent-not-used' });
    const settings = notificationSettings(
      { SMTP_URL: `smtp://127.0.0.1:${port}`, NOTIFY_FROM: 'Corner Shop <orders@shop.example>' },
      config,
    );
    const people = directory();
    const service = await createNotificationsService({ config, infra, settings }, people.deps, {
      deliveryIntervalMs: 0,
      schema,
      retryBaseMs: 1,
      retryMaxMs: 5,
    });
    const customer = people.person('Edsger');
    const seller = people.person('Dijkstra Books');
    const order = anOrder(customer.id, [{ id: seller.id, titles: ['Go To Statement Considered Harmful'] }]);
    people.addOrder(order);
    refuseNext = 1;
    await infra.bus.publish(paidEvent(order));
    await expect
      .poll(
        async () => {
          await service.api.delivery.deliverDue();
          return received.length;
        },
        { timeout: 15_000, interval: 50 },
      )
      .toBe(2);

    expect(refuseNext).toBe(0);
    expect(received.flatMap((r) => r.to).sort()).toEqual([customer.email, seller.email].sort());
    expect(received.every((r) => r.from === 'orders@shop.example')).toBe(true);
    const toCustomer = received.find((r) => r.to.includes(customer.email))!;
    expect(toCustomer.raw).toMatch(/^Subject: Your order #\w{8} is confirmed\r?$/m);
    expect(toCustomer.raw).toMatch(/^Message-ID: <[0-9a-f-]{36}@shop\.example>\r?$/m);
    expect(toCustomer.raw).toContain('Content-Type: text/html');
    expect((await service.api.listFor(customer.id))[0]).toMatchObject({ status: 'sent' });
    await service.api.delivery.deliverDue();
    expect(received).toHaveLength(2);
    await service.module.stop?.();
    await infra.db.forSchema(schema).schema.dropSchema(schema).cascade().execute();
  });
});
