import { validation } from '@emporium/platform';
import type { ReviewKey } from './store.ts';
import type { ReviewSort } from './types.ts';

/** A listing a cursor belongs to: a product's reviews in one sort order, or the moderators' queue. */
export type CursorListing = ReviewSort | 'reported';

/** Opaque keyset cursors: the listing, the last row's sort key and its seq. */
export function encodeCursor(listing: CursorListing, key: number, seq: number): string {
  return Buffer.from(JSON.stringify([listing, key, seq])).toString('base64url');
}

export function decodeCursor(cursor: string, listing: CursorListing): ReviewKey {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 3) {
      const [l, key, seq] = parsed as unknown[];
      if (l === listing && Number.isSafeInteger(key) && Number.isSafeInteger(seq))
        return { key: key as number, seq: seq as number };
    }
  } catch {
    // fall through to the validation error
  }
  throw validation('Bad cursor', [{ field: 'cursor', message: 'is not a cursor of this listing and sort' }]);
}
