/**
 * Each document's analysed title as a sequence of term ids, kept from indexing so the ranker's
 * title features (positions, adjacency, proximity) do not re-analyse a hundred titles per query
 * (ADR 0208): about 20 bytes a product. Ids only grow, so titles append to one flat array;
 * removed documents leave their slice behind until the next cluster() or snapshot.
 */
const MAX_TERMS = 255;

export class TitleTerms {
  private flat: Uint32Array<ArrayBufferLike> = new Uint32Array(4096);
  private used = 0;
  private start = new Uint32Array(1024);
  private count = new Uint8Array(1024);

  set(doc: number, terms: ArrayLike<number>): void {
    this.ensureDocs(doc + 1);
    const n = Math.min(terms.length, MAX_TERMS);
    if (this.used + n > this.flat.length) {
      const grown = new Uint32Array(Math.max(this.flat.length * 2, this.used + n));
      grown.set(this.flat.subarray(0, this.used));
      this.flat = grown;
    }
    for (let i = 0; i < n; i++) this.flat[this.used + i] = terms[i] as number;
    this.start[doc] = this.used;
    this.count[doc] = n;
    this.used += n;
  }

  of(doc: number): Uint32Array {
    const from = this.start[doc] as number;
    return this.flat.subarray(from, from + (this.count[doc] as number));
  }

  /** The titles of `docs` (in that order), packed: the new numbering after a permutation. */
  pack(docs: ArrayLike<number>): { flat: Uint32Array; offsets: Uint32Array } {
    const offsets = new Uint32Array(docs.length + 1);
    for (let i = 0; i < docs.length; i++)
      offsets[i + 1] = (offsets[i] as number) + (this.count[docs[i] as number] as number);
    const flat = new Uint32Array(offsets[docs.length] as number);
    for (let i = 0; i < docs.length; i++) flat.set(this.of(docs[i] as number), offsets[i] as number);
    return { flat, offsets };
  }

  static unpack(flat: Uint32Array, offsets: Uint32Array): TitleTerms {
    const titles = new TitleTerms();
    const docs = offsets.length - 1;
    titles.ensureDocs(docs);
    titles.flat = flat.length > 0 ? flat : titles.flat;
    titles.used = flat.length;
    for (let d = 0; d < docs; d++) {
      titles.start[d] = offsets[d] as number;
      titles.count[d] = (offsets[d + 1] as number) - (offsets[d] as number);
    }
    return titles;
  }

  private ensureDocs(n: number): void {
    if (n <= this.start.length) return;
    const cap = Math.max(n, this.start.length * 2);
    const start = new Uint32Array(cap);
    start.set(this.start);
    const count = new Uint8Array(cap);
    count.set(this.count);
    this.start = start;
    this.count = count;
  }
}
