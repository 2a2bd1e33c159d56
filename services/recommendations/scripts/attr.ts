import { readFileSync } from 'node:fs';
import { holdOutLast, readSequencesFile, sequenceOf, userCount } from '../src/model/interactions.ts';
const name = process.argv[2] ?? 'Beauty';
const log = readSequencesFile(`/work/shared/data/amazon-2014/${name}.txt`);
const attrs = JSON.parse(readFileSync(`/work/shared/data/amazon-2014/${name}_item2attributes.json`, 'utf8')) as Record<string, number[]>;
const { train, targets } = holdOutLast(log);
const A = train.itemIds.map((id) => new Set(attrs[id] ?? []));
const df = new Map<number, number>();
for (const s of A) for (const a of s) df.set(a, (df.get(a) ?? 0) + 1);
console.log('items', A.length, 'attrs', df.size, 'avg per item', A.reduce((x, s) => x + s.size, 0) / A.length);
const sortedDf = [...df.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15); console.log(sortedDf);
let n = 0, share1 = 0, shareRare = 0, shareAll = 0;
for (let u = 0; u < userCount(train); u++) {
  const t = targets[u]; if (t < 0) continue; n++;
  const s = sequenceOf(train, u); const last = A[s[s.length - 1]];
  const tA = A[t];
  let shared = 0, rare = false; for (const a of tA) if (last.has(a)) { shared++; if ((df.get(a) ?? 0) < 200) rare = true; }
  if (shared > 0) share1++; if (rare) shareRare++; if (shared === tA.size && shared === last.size) shareAll++;
}
console.log({ n, share1: share1 / n, shareRare: shareRare / n, shareAll: shareAll / n });
