// The two notifiers: `.eml` files in the data directory (embedded default) and SMTP (SMTP_URL). Both
// build the message with nodemailer, so a file is byte for byte what the SMTP server would receive.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Notifier, OutgoingMessage } from './types.ts';

const mailOptions = (m: OutgoingMessage) => ({
  messageId: m.messageId,
  from: m.from,
  to: { name: m.to.name, address: m.to.address },
  subject: m.subject,
  text: m.text,
  html: m.html,
});

/** The file name of a message: its Message-ID's local part, so a resent notice overwrites itself. */
export const emlFileName = (messageId: string) =>
  `${messageId.replace(/^<|@.*$/g, '').replace(/[^A-Za-z0-9._-]/g, '_')}.eml`;

export function fileNotifier(dir: string): Notifier {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'file',
    async send(message) {
      const info = await composer.sendMail(mailOptions(message));
      await mkdir(dir, { recursive: true });
      const path = join(dir, emlFileName(message.messageId));
      // Written aside then renamed: a reader (or a crash) never sees half a message.
      const partial = `${path}.partial`;
      await writeFile(partial, info.message as Buffer);
      await rename(partial, path);
    },
    async close() {
      composer.close();
    },
  };
}

export function smtpNotifier(url: string, options: { timeoutMs?: number } = {}): Notifier {
  const timeout = options.timeoutMs ?? 15_000;
  // Pooled: a burst of notices (a sale) shares a few connections instead of one handshake each.
  const transport = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: 4,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    kind: 'smtp',
    async send(message) {
      await transport.sendMail(mailOptions(message));
    },
    async close() {
      transport.close();
    },
  };
}
