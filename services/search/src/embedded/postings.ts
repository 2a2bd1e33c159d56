/**
 * One term's postings: ascending internal doc ids with the term frequency in each field, packed in
 * typed arrays (4 + FIELD_COUNT bytes per posting) so a million-document index stays compact and
 * scoring loops touch contiguous memory.
 */
import { FIELD_COUNT } from './fields.ts';

export class PostingList {
  ids: Uint32Array;
  tfs: Uint8Array;
  length = 0;
  /**
   * Cached BM25F saturation per posting (query-independent, see scorer.ts): valid for the first
   * `impactLength` postings under the norms of `impactVersion`.
   */
  impact = new Float32Array(0);
  impactLength = 0;
  impactVersion = -1;

  constructor(capacity = 2) {
    this.ids = new Uint32Array(capacity);
    this.tfs = new Uint8Array(capacity * FIELD_COUNT);
  }

  /** Appends a posting; internal ids only grow, so the list stays sorted. */
  add(doc: number, fieldTfs: ArrayLike<number>): void {
    if (this.length === this.ids.length) this.grow();
    this.ids[this.length] = doc;
    const base = this.length * FIELD_COUNT;
    for (let f = 0; f < FIELD_COUNT; f++) this.tfs[base + f] = Math.min(255, fieldTfs[f] ?? 0);
    this.length++;
  }

  /** Drops postings of dead documents in place. */
  compact(alive: Uint8Array): void {
    let w = 0;
    for (let r = 0; r < this.length; r++) {
      const doc = this.ids[r] as number;
      if (!alive[doc]) continue;
      if (w !== r) {
        this.ids[w] = doc;
        this.tfs.copyWithin(w * FIELD_COUNT, r * FIELD_COUNT, (r + 1) * FIELD_COUNT);
      }
      w++;
    }
    this.length = w;
    this.impactVersion = -1;
  }

  private grow(): void {
    const cap = Math.max(4, this.ids.length * 2);
    const ids = new Uint32Array(cap);
    ids.set(this.ids);
    const tfs = new Uint8Array(cap * FIELD_COUNT);
    tfs.set(this.tfs);
    this.ids = ids;
    this.tfs = tfs;
  }
}
