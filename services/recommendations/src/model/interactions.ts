// Interaction log held as CSR typed arrays: user u owns items[offsets[u] .. offsets[u+1]) in time order.
import { readFileSync } from 'node:fs';

export interface Interactions {
  readonly userIds: readonly string[];
  /** Dense item index -> external item id. */
  readonly itemIds: readonly string[];
  readonly offsets: Int32Array;
  readonly items: Int32Array;
}

export function userCount(log: Interactions): number {
  return log.offsets.length - 1;
}

export function itemCount(log: Interactions): number {
  return log.itemIds.length;
}

export function sequenceOf(log: Interactions, user: number): Int32Array {
  return log.items.subarray(log.offsets[user]!, log.offsets[user + 1]!);
}

/** Builds a log from external ids; item indices are assigned in order of first appearance. */
export function fromSequences(rows: ReadonlyArray<{ user: string; items: readonly string[] }>): Interactions {
  const index = new Map<string, number>();
  const itemIds: string[] = [];
  let total = 0;
  for (const r of rows) total += r.items.length;
  const offsets = new Int32Array(rows.length + 1);
  const items = new Int32Array(total);
  let k = 0;
  rows.forEach((r, u) => {
    for (const id of r.items) {
      let i = index.get(id);
      if (i === undefined) {
        i = itemIds.length;
        index.set(id, i);
        itemIds.push(id);
      }
      items[k++] = i;
    }
    offsets[u + 1] = k;
  });
  return { userIds: rows.map((r) => r.user), itemIds, offsets, items };
}

/** Parses the amazon-2014 sequence format: `user_id item item ...`, one user a line. */
export function parseSequences(text: string): Interactions {
  const rows: { user: string; items: string[] }[] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 1 || parts[0] === '') continue;
    rows.push({ user: parts[0]!, items: parts.slice(1) });
  }
  return fromSequences(rows);
}

export function readSequencesFile(path: string): Interactions {
  return parseSequences(readFileSync(path, 'utf8'));
}

/**
 * Drops the last item of every sequence that has at least two items and returns it as the target:
 * the leave-last-out split used for validation (and, applied twice, for fitting mixture weights).
 */
export function holdOutLast(log: Interactions): { train: Interactions; targets: Int32Array } {
  const n = userCount(log);
  const targets = new Int32Array(n).fill(-1);
  const offsets = new Int32Array(n + 1);
  const items = new Int32Array(log.items.length);
  let k = 0;
  for (let u = 0; u < n; u++) {
    const seq = sequenceOf(log, u);
    const keep = seq.length >= 2 ? seq.length - 1 : seq.length;
    if (keep < seq.length) targets[u] = seq[keep]!;
    items.set(seq.subarray(0, keep), k);
    k += keep;
    offsets[u + 1] = k;
  }
  return { train: { ...log, offsets, items: items.slice(0, k) }, targets };
}
