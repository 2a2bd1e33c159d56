import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { validation } from '@emporium/platform';
import type { BlobStore } from './blob-store.ts';

export const MAX_IMAGE_BYTES = 8 * 1024 * 1024;
const MAX_PIXELS = 40_000_000;

/** The rendition sizes (longest side, px) served to listings and the product page. */
export const RENDITIONS = { listing: 400, detail: 1200 } as const;

const SIGNATURES: { type: string; ext: string; test: (b: Buffer) => boolean }[] = [
  {
    type: 'image/png',
    ext: 'png',
    test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  { type: 'image/jpeg', ext: 'jpg', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  {
    type: 'image/webp',
    ext: 'webp',
    test: (b) => b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP',
  },
  {
    type: 'image/gif',
    ext: 'gif',
    test: (b) => b.toString('latin1', 0, 6) === 'GIF87a' || b.toString('latin1', 0, 6) === 'GIF89a',
  },
];

export const contentTypeOfKey = (key: string) =>
  ({ png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif' })[
    key.split('.').pop() ?? ''
  ] ?? 'application/octet-stream';

export interface StoredImage {
  key: string;
  width: number;
  height: number;
}

/**
 * Checks an upload by its bytes (never by the declared type or name), stores the original under a
 * content-hashed name and writes the listing and detail renditions. The same bytes always give the same
 * key, so a repeated upload stores nothing new.
 */
export async function storeImage(blobs: BlobStore, data: Buffer): Promise<StoredImage> {
  if (data.length === 0) throw validation('The image is empty', [{ field: 'body', message: 'is empty' }]);
  if (data.length > MAX_IMAGE_BYTES)
    throw validation('The image is too large', [
      { field: 'body', message: `must be at most ${MAX_IMAGE_BYTES} bytes` },
    ]);
  const kind = SIGNATURES.find((s) => s.test(data));
  if (!kind)
    throw validation('Not a supported image', [
      { field: 'body', message: 'must be a PNG, JPEG, WebP or GIF image' },
    ]);
  let meta: sharp.Metadata;
  try {
    meta = await sharp(data, { limitInputPixels: MAX_PIXELS }).metadata();
  } catch {
    throw validation('The image cannot be decoded', [
      { field: 'body', message: 'is corrupt or too large in pixels' },
    ]);
  }
  const hash = createHash('sha256').update(data).digest('hex').slice(0, 32);
  const key = `${hash}.${kind.ext}`;
  if (!(await blobs.has(`${hash}-detail.webp`))) {
    await blobs.put(key, data);
    for (const [name, size] of Object.entries(RENDITIONS)) {
      const out = await sharp(data, { limitInputPixels: MAX_PIXELS })
        .rotate()
        .resize(size, size, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 80 })
        .toBuffer();
      await blobs.put(`${hash}-${name}.webp`, out);
    }
  }
  return { key, width: meta.width ?? 0, height: meta.height ?? 0 };
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A placeholder picture: the category colour and the title's initials (the demo data has no reachable images). */
export async function placeholderImage(title: string, colour: string): Promise<Buffer> {
  const initials = title
    .split(/\s+/)
    .filter((w) => /^[A-Za-z0-9]/.test(w))
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');
  const label = escapeXml(title.length > 34 ? `${title.slice(0, 32)}…` : title);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="800">
  <rect width="800" height="800" fill="${colour}"/>
  <text x="400" y="450" font-size="260" text-anchor="middle" fill="#ffffff" font-family="sans-serif" font-weight="bold">${escapeXml(initials)}</text>
  <text x="400" y="700" font-size="40" text-anchor="middle" fill="#ffffff" fill-opacity="0.85" font-family="sans-serif">${label}</text>
</svg>`;
  return sharp(Buffer.from(svg)).png({ compressionLevel: 6 }).toBuffer();
}

/** A stable, readable colour per category name. */
export function colourOf(name: string): string {
  const h = [...name].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7) % 360;
  return `hsl(${h}, 55%, 45%)`;
}
