import { holdOutLast, itemCount, readSequencesFile, sequenceOf, userCount } from '../src/model/interactions.ts';
import { pairNeighbours } from '../src/model/itemknn.ts';
import { itemFrequencies, popularityFrom } from '../src/model/model.ts';
import { summarise } from '../src/model/metrics.ts';
const name = process.argv[2] ?? 'Beauty';
const grid = JSON.parse(process.argv[3] ?? '[{}]') as Record<string, number>[];
const log = readSequencesFile(`/work/shared/data/amazon-2014/${name}.txt`);
const { train, targets } = holdOutLast(log);
const n = itemCount(train), U = userCount(train);
const freq = itemFrequencies(n, train.items);
const pop = popularityFrom(freq);
// inverted index item -> (user, pos)
const cnt = new Int32Array(n + 1);
for (const i of train.items) cnt[i + 1]++;
for (let i = 0; i < n; i++) cnt[i + 1] += cnt[i];
const invU = new Int32Array(train.items.length), invP = new Int32Array(train.items.length);
const fill = cnt.slice();
for (let u = 0; u < U; u++) { const s = sequenceOf(train, u); s.forEach((it, p) => { const k = fill[it]++; invU[k] = u; invP[k] = p; }); }
const A = pairNeighbours(train, { window: 1, decay: 1, backward: 0, userExponent: 0, alpha: 0, beta: 0, topN: 200 });
for (const g0 of grid) {
  const g = { hd: 0.7, idf: 1, K: 100, after: 1, before: 0.3, pd: 0.7, ws: 0.1, pw: 0.001, ...g0 };
  const sim = new Float64Array(U), mpos = new Int32Array(U), score = new Float64Array(n);
  const ranks: number[] = [];
  for (let u = 0; u < U; u++) {
    const t = targets[u]; if (t < 0) continue;
    const s = sequenceOf(train, u); const L = s.length;
    const touchedU: number[] = [];
    for (let p = 0; p < L; p++) {
      const h = s[p]; const r = Math.pow(g.hd, L - 1 - p) / Math.pow(freq[h], g.idf * 0.5);
      for (let k = cnt[h]; k < cnt[h + 1]; k++) { const v = invU[k]; if (v === u) continue; if (sim[v] === 0) { touchedU.push(v); mpos[v] = -1; } sim[v] += r; if (p === L - 1 || mpos[v] < 0) mpos[v] = invP[k]; }
    }
    touchedU.sort((a, b) => sim[b] - sim[a]);
    const nb = touchedU.slice(0, g.K);
    const touchedI: number[] = [];
    for (const v of nb) {
      const sv = sequenceOf(train, v); const q = mpos[v];
      for (let j = 0; j < sv.length; j++) { const it = sv[j]; const d = j - q; const w = sim[v] * (d > 0 ? g.after * Math.pow(g.pd, d - 1) : g.before * Math.pow(g.pd, Math.max(0, -d - 1))); if (score[it] === 0) touchedI.push(it); score[it] += w; }
    }
    for (const v of touchedU) sim[v] = 0;
    // add markov
    const last = [1, 0.5, 0.25];
    for (let p = 0; p < 3 && p < L; p++) { const h = s[L - 1 - p]; for (let j = A.offsets[h]; j < A.offsets[h + 1]; j++) { const it = A.items[j]; if (score[it] === 0) touchedI.push(it); score[it] += last[p] * A.scores[j] / g.ws; } }
    const hs = new Set(s);
    const ts = score[t] + g.pw * pop.popularity[t];
    let rank = 1;
    const cand = new Set(touchedI);
    for (const it of cand) { if (it === t || hs.has(it)) continue; const sc = score[it] + g.pw * pop.popularity[it]; if (sc > ts) rank++; }
    if (rank <= 20 && score[t] === 0) { rank = 21; }
    for (const it of touchedI) score[it] = 0;
    ranks.push(rank);
  }
  const r = summarise(ranks);
  console.log(name, JSON.stringify(g0), r.hr10.toFixed(4), r.ndcg10.toFixed(4), r.hr20.toFixed(4));
}
