/**
 * Versioned on-disk snapshot of the embedded index, so a restart loads instead of re-analysing
 * every product. Layout: 8-byte magic, u32 format version, u32 header length, a JSON header
 * naming each binary section's offset and length, then the sections (8-byte aligned). Live
 * documents are renumbered densely on save, which also drops postings of removed documents.
 * Written to a temporary file and renamed, so a crash never leaves a torn snapshot.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { SearchDocument } from '../types.ts';
import { EmbeddedIndex, type EngineOptions } from './engine.ts';
import { FIELD_COUNT } from './fields.ts';
import { PostingList } from './postings.ts';
import { TitleTerms } from './titles.ts';

const MAGIC = 'EMPSRCH\u0001';
export const SNAPSHOT_VERSION = 2;

interface Section {
  name: string;
  offset: number;
  length: number;
}

interface Header {
  format: 'emporium-search-snapshot';
  version: number;
  createdAt: string;
  docs: number;
  terms: number;
  fieldCount: number;
  /** Leading documents in cluster order (the index's layout.end after renumbering). */
  clustered: number;
  sections: Section[];
}

function renumber(index: EmbeddedIndex): { newId: Int32Array; oldId: number[]; docs: SearchDocument[] } {
  const newId = new Int32Array(index.docs.length).fill(-1);
  const oldId: number[] = [];
  const docs: SearchDocument[] = [];
  index.docs.forEach((doc, d) => {
    if (doc && index.alive[d]) {
      newId[d] = docs.length;
      oldId.push(d);
      docs.push(doc);
    }
  });
  return { newId, oldId, docs };
}

export async function writeSnapshot(index: EmbeddedIndex, file: string): Promise<void> {
  const { newId, oldId, docs } = renumber(index);
  const titles = index.titles.pack(oldId);
  const terms = index.dict.terms;
  const offsets = new Uint32Array(terms.length + 1);
  const ids: number[] = [];
  const tfParts: Uint8Array[] = [];
  terms.forEach((_t, term) => {
    const list = index.postings[term];
    for (let i = 0; list && i < list.length; i++) {
      const nd = newId[list.ids[i] as number] as number;
      if (nd < 0) continue;
      ids.push(nd);
      tfParts.push(list.tfs.subarray(i * FIELD_COUNT, (i + 1) * FIELD_COUNT));
    }
    offsets[term + 1] = ids.length;
  });
  const tfs = new Uint8Array(ids.length * FIELD_COUNT);
  tfParts.forEach((p, i) => tfs.set(p, i * FIELD_COUNT));
  const lens = new Uint16Array(docs.length * FIELD_COUNT);
  newId.forEach((nd, d) => {
    if (nd >= 0) lens.set(index.fieldLen.subarray(d * FIELD_COUNT, (d + 1) * FIELD_COUNT), nd * FIELD_COUNT);
  });
  const parts: [string, Uint8Array][] = [
    ['docs', Buffer.from(JSON.stringify(docs))],
    ['terms', Buffer.from(JSON.stringify(terms))],
    ['offsets', bytes(offsets)],
    ['ids', bytes(Uint32Array.from(ids))],
    ['tfs', tfs],
    ['fieldLen', bytes(lens)],
    ['titleTerms', bytes(titles.flat)],
    ['titleOffsets', bytes(titles.offsets)],
  ];
  const sections: Section[] = [];
  let at = 0;
  for (const [name, data] of parts) {
    sections.push({ name, offset: at, length: data.byteLength });
    at += align(data.byteLength);
  }
  const header: Header = {
    format: 'emporium-search-snapshot',
    version: SNAPSHOT_VERSION,
    createdAt: new Date().toISOString(),
    docs: docs.length,
    terms: terms.length,
    fieldCount: FIELD_COUNT,
    clustered: oldId.filter((d) => d < index.layout.end).length,
    sections,
  };
  const headerBytes = Buffer.from(JSON.stringify(header));
  const pre = Buffer.alloc(16);
  pre.write(MAGIC, 0, 'latin1');
  pre.writeUInt32LE(SNAPSHOT_VERSION, 8);
  pre.writeUInt32LE(headerBytes.length, 12);
  const body = Buffer.alloc(at);
  parts.forEach(([, data], i) => body.set(data, (sections[i] as Section).offset));
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(
    tmp,
    Buffer.concat([pre, headerBytes, Buffer.alloc(align(headerBytes.length) - headerBytes.length), body]),
  );
  await rename(tmp, file);
}

function bytes(a: Uint32Array | Uint16Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function align(n: number): number {
  return Math.ceil(n / 8) * 8;
}

export class SnapshotError extends Error {}

export async function loadSnapshot(
  file: string,
  options: Partial<EngineOptions> = {},
): Promise<EmbeddedIndex> {
  const buf = await readFile(file);
  if (buf.toString('latin1', 0, 8) !== MAGIC) throw new SnapshotError(`${file} is not a search snapshot`);
  const version = buf.readUInt32LE(8);
  if (version !== SNAPSHOT_VERSION)
    throw new SnapshotError(`snapshot version ${version}, this build reads ${SNAPSHOT_VERSION}`);
  const headerLen = buf.readUInt32LE(12);
  const header = JSON.parse(buf.toString('utf8', 16, 16 + headerLen)) as Header;
  if (header.fieldCount !== FIELD_COUNT) throw new SnapshotError('snapshot has a different field layout');
  const base = 16 + align(headerLen);
  const section = (name: string): Buffer => {
    const s = header.sections.find((x) => x.name === name);
    if (!s) throw new SnapshotError(`snapshot lacks section ${name}`);
    // Copy so typed-array views are aligned and independent of the file buffer.
    return Buffer.from(buf.subarray(base + s.offset, base + s.offset + s.length));
  };
  const docs = JSON.parse(section('docs').toString('utf8')) as SearchDocument[];
  const terms = JSON.parse(section('terms').toString('utf8')) as string[];
  const u32 = (b: Buffer) => new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  const offsets = u32(section('offsets'));
  const ids = u32(section('ids'));
  const tfs = new Uint8Array(section('tfs'));
  const lensBuf = section('fieldLen');
  const lens = new Uint16Array(lensBuf.buffer, lensBuf.byteOffset, lensBuf.byteLength / 2);
  const index = new EmbeddedIndex(options);
  index.restore(docs, lens, TitleTerms.unpack(u32(section('titleTerms')), u32(section('titleOffsets'))));
  terms.forEach((t, term) => {
    index.dict.intern(t);
    const from = offsets[term] as number;
    const to = offsets[term + 1] as number;
    const list = new PostingList(0);
    list.ids = ids.slice(from, to);
    list.tfs = tfs.slice(from * FIELD_COUNT, to * FIELD_COUNT);
    list.length = to - from;
    index.postings[term] = list;
    index.dict.df[term] = to - from;
  });
  index.totalPostings = ids.length;
  if (header.clustered > 0) index.layout.mark(index.cols, header.clustered);
  return index;
}
