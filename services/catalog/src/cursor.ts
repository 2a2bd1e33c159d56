import { validation } from '@emporium/platform';
import type { ListingKey } from './queries.ts';
import type { SortOrder } from './types.ts';

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}(:?\d{2})?|Z)?$/;

/** Opaque keyset cursors: the sort they belong to, the last row's sort key and id. */
export function encodeCursor(sort: SortOrder, key: ListingKey): string {
  return Buffer.from(JSON.stringify([sort, key.key, key.id])).toString('base64url');
}

export function decodeCursor(cursor: string, sort: SortOrder): ListingKey {
  try {
    const [s, key, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const keyOk =
      typeof key === 'string' && (sort === 'newest' ? TIMESTAMP.test(key) : /^-?\d+(\.\d+)?$/.test(key));
    if (s === sort && keyOk && typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id))
      return { key: key as string, id };
  } catch {
    // fall through to the validation error
  }
  throw validation('Bad cursor', [{ field: 'cursor', message: 'is not a cursor of this listing and sort' }]);
}
