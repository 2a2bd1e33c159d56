import { randomBytes } from 'node:crypto';

// UUIDv7 layout (48-bit millisecond clock, then randomness): ids sort by creation time and cannot be guessed.
export function newId(prefix: string, nowMs: number = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(nowMs, 0, 6);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  return `${prefix}_${bytes.toString('hex')}`;
}

export function unixSeconds(nowMs: number = Date.now()): number {
  return Math.floor(nowMs / 1000);
}
