import { holdOutLast, readSequencesFile, sequenceOf, userCount } from '../src/model/interactions.ts';
import { pairNeighbours } from '../src/model/itemknn.ts';
const name = process.argv[2] ?? 'Beauty';
const log = readSequencesFile(`/work/shared/data/amazon-2014/${name}.txt`);
const { train, targets } = holdOutLast(log);
const fwd = pairNeighbours(train, { window: 1, decay: 1, backward: 0, userExponent: 0, alpha: 0, beta: 0, topN: 1e9 });
const wide = pairNeighbours(train, { window: 5, decay: 1, backward: 1, userExponent: 0, alpha: 0, beta: 0, topN: 1e9 });
let inHist = 0, f1 = 0, f3 = 0, w1 = 0, wall = 0, n = 0, rep = 0;
const has = (m: typeof fwd, h: number, t: number) => { for (let j = m.offsets[h]!; j < m.offsets[h + 1]!; j++) if (m.items[j] === t) return true; return false; };
for (let u = 0; u < userCount(train); u++) {
  const t = targets[u]!; if (t < 0) continue; n++;
  const s = sequenceOf(train, u);
  if (s.includes(t)) { inHist++; continue; }
  const L = s.length;
  if (has(fwd, s[L - 1]!, t)) f1++;
  if ([1, 2, 3].some((p) => L - p >= 0 && has(fwd, s[L - p]!, t))) f3++;
  if (has(wide, s[L - 1]!, t)) w1++;
  if (s.some((h) => has(wide, h, t))) wall++;
  if (t === s[L-1]) rep++;
}
console.log({ n, inHist: inHist / n, fwdLast: f1 / n, fwdLast3: f3 / n, wideLast: w1 / n, wideAll: wall / n });
