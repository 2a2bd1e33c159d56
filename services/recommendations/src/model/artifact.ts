// Model artifact: one file = magic + JSON header + 8-byte aligned typed arrays. Written to a temp name and renamed,
// and `current` is a pointer file replaced the same way, so a reader never sees a half-written model.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Component, Ranker, RecModel } from './model.ts';
import type { NeighbourLists } from './neighbours.ts';
import type { SessionParams } from './sessions.ts';

export const ARTIFACT_FORMAT = 'emporium-recs';
/** 2 added the optional re-ranker; version 1 files (no ranker) still load. */
export const ARTIFACT_FORMAT_VERSION = 2;
const READABLE_VERSIONS = [1, 2];
const MAGIC = Buffer.from('EMPRECS1', 'latin1');

type Typed = Int32Array | Float32Array;
interface ArrayEntry {
  name: string;
  type: 'i32' | 'f32';
  byteOffset: number;
  length: number;
}

interface Header {
  format: string;
  formatVersion: number;
  kind: string;
  version: string;
  trainedAt: string;
  params: RecModel['params'];
  itemIds: readonly string[];
  popularityWeight: number;
  components: { name: string }[];
  sessions: { params: SessionParams; weight: number } | null;
  ranker?: RankerHeader | null;
  arrays: ArrayEntry[];
}

interface RankerHeader {
  candidates: number;
  featureNames: readonly string[];
  itemSignals: string[];
  forest: boolean;
  attributes: boolean;
}

const FOREST_ARRAYS = ['roots', 'feature', 'threshold', 'left', 'right', 'value'] as const;

function namedArrays(model: RecModel): [string, Typed][] {
  const out: [string, Typed][] = [
    ['popularity', model.popularity],
    ['popularOrder', model.popularOrder],
  ];
  model.components.forEach((c, i) => {
    out.push([`c${i}.offsets`, c.neighbours.offsets], [`c${i}.items`, c.neighbours.items]);
    out.push([`c${i}.scores`, c.neighbours.scores], [`c${i}.positionWeights`, c.positionWeights]);
  });
  const s = model.sessions?.index;
  if (s) {
    out.push(['s.offsets', s.offsets], ['s.items', s.items], ['s.postingOffsets', s.postingOffsets]);
    out.push(['s.postingUsers', s.postingUsers], ['s.postingPositions', s.postingPositions]);
  }
  const r = model.ranker;
  if (r) {
    out.push(['r.mean', r.mean], ['r.scale', r.scale], ['r.weights', r.weights]);
    r.itemSignals.forEach((sig, i) => out.push([`r.signal${i}`, sig.values]));
    const forest = r.forest;
    if (forest) for (const name of FOREST_ARRAYS) out.push([`r.forest.${name}`, forest[name]]);
    const a = r.attributes;
    if (a) out.push(['r.attr.offsets', a.offsets], ['r.attr.ids', a.ids], ['r.attr.idf', a.idf]);
  }
  return out;
}

function rankerHeader(r: Ranker | undefined): RankerHeader | null {
  if (!r) return null;
  return {
    candidates: r.candidates,
    featureNames: r.featureNames,
    itemSignals: r.itemSignals.map((s) => s.name),
    forest: r.forest !== undefined,
    attributes: r.attributes !== undefined,
  };
}

function readRanker(
  h: RankerHeader,
  i32: (n: string) => Int32Array,
  f32: (n: string) => Float32Array,
): Ranker {
  return {
    candidates: h.candidates,
    featureNames: h.featureNames,
    itemSignals: h.itemSignals.map((name, i) => ({ name, values: f32(`r.signal${i}`) })),
    mean: f32('r.mean'),
    scale: f32('r.scale'),
    weights: f32('r.weights'),
    ...(h.forest
      ? {
          forest: {
            roots: i32('r.forest.roots'),
            feature: i32('r.forest.feature'),
            threshold: f32('r.forest.threshold'),
            left: i32('r.forest.left'),
            right: i32('r.forest.right'),
            value: f32('r.forest.value'),
          },
        }
      : {}),
    ...(h.attributes
      ? { attributes: { offsets: i32('r.attr.offsets'), ids: i32('r.attr.ids'), idf: f32('r.attr.idf') } }
      : {}),
  };
}

export function serialise(model: RecModel): Buffer {
  const arrays: ArrayEntry[] = [];
  let offset = 0;
  const named = namedArrays(model);
  for (const [name, a] of named) {
    arrays.push({
      name,
      type: a instanceof Int32Array ? 'i32' : 'f32',
      byteOffset: offset,
      length: a.length,
    });
    offset += align8(a.byteLength);
  }
  const header: Header = {
    format: ARTIFACT_FORMAT,
    formatVersion: ARTIFACT_FORMAT_VERSION,
    kind: model.kind,
    version: model.version,
    trainedAt: model.trainedAt,
    params: model.params,
    itemIds: model.itemIds,
    popularityWeight: model.popularityWeight,
    components: model.components.map((c) => ({ name: c.name })),
    sessions: model.sessions ? { params: model.sessions.params, weight: model.sessions.weight } : null,
    ranker: rankerHeader(model.ranker),
    arrays,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const headLen = align8(MAGIC.length + 4 + json.length);
  const out = Buffer.alloc(headLen + offset);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(json.length, MAGIC.length);
  json.copy(out, MAGIC.length + 4);
  named.forEach(([, a], i) => {
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(out, headLen + arrays[i]!.byteOffset);
  });
  return out;
}

export function deserialise(buf: Buffer): RecModel {
  if (buf.length < 12 || !buf.subarray(0, MAGIC.length).equals(MAGIC))
    throw new Error('not a recommendations model artifact');
  const jsonLen = buf.readUInt32LE(MAGIC.length);
  const header = JSON.parse(
    buf.subarray(MAGIC.length + 4, MAGIC.length + 4 + jsonLen).toString('utf8'),
  ) as Header;
  if (header.format !== ARTIFACT_FORMAT || !READABLE_VERSIONS.includes(header.formatVersion)) {
    throw new Error(`unsupported artifact ${header.format} v${header.formatVersion}`);
  }
  const base = align8(MAGIC.length + 4 + jsonLen);
  const byName = new Map<string, Typed>();
  for (const e of header.arrays) {
    // copy into a fresh, aligned buffer: the file buffer's offset is not guaranteed to be 4-byte aligned
    const bytes = buf.subarray(base + e.byteOffset, base + e.byteOffset + e.length * 4);
    const copy = new Uint8Array(bytes).buffer;
    byName.set(e.name, e.type === 'i32' ? new Int32Array(copy) : new Float32Array(copy));
  }
  const i32 = (n: string) => byName.get(n) as Int32Array;
  const f32 = (n: string) => byName.get(n) as Float32Array;
  const components: Component[] = header.components.map((c, i) => {
    const neighbours: NeighbourLists = {
      offsets: i32(`c${i}.offsets`),
      items: i32(`c${i}.items`),
      scores: f32(`c${i}.scores`),
    };
    return { name: c.name, neighbours, positionWeights: f32(`c${i}.positionWeights`) };
  });
  const ranker = header.ranker ? readRanker(header.ranker, i32, f32) : undefined;
  const model: RecModel = {
    ...(ranker ? { ranker } : {}),
    kind: header.kind,
    version: header.version,
    trainedAt: header.trainedAt,
    params: header.params,
    itemIds: header.itemIds,
    popularity: f32('popularity'),
    popularOrder: i32('popularOrder'),
    popularityWeight: header.popularityWeight,
    components,
  };
  if (!header.sessions) return model;
  const index = {
    offsets: i32('s.offsets'),
    items: i32('s.items'),
    postingOffsets: i32('s.postingOffsets'),
    postingUsers: i32('s.postingUsers'),
    postingPositions: i32('s.postingPositions'),
  };
  return { ...model, sessions: { index, params: header.sessions.params, weight: header.sessions.weight } };
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

const CURRENT = 'current';

/** Writes `<dir>/<version>.recs` and then points `<dir>/current` at it; returns the artifact path. */
export function writeArtifact(dir: string, model: RecModel): string {
  mkdirSync(dir, { recursive: true });
  const file = `${model.version}.recs`;
  const path = join(dir, file);
  writeFileSync(`${path}.tmp`, serialise(model));
  renameSync(`${path}.tmp`, path);
  writeFileSync(join(dir, `${CURRENT}.tmp`), `${file}\n`);
  renameSync(join(dir, `${CURRENT}.tmp`), join(dir, CURRENT));
  return path;
}

export function readArtifact(path: string): RecModel {
  return deserialise(readFileSync(path));
}

/** Loads the artifact `<dir>/current` points at. */
export function readCurrentArtifact(dir: string): RecModel {
  const file = readFileSync(join(dir, CURRENT), 'utf8').trim();
  return readArtifact(join(dir, file));
}
