import { holdOutLast, itemCount, readSequencesFile } from '../src/model/interactions.ts';
import { geometricWeights, pairNeighbours } from '../src/model/itemknn.ts';
import { evaluate } from '../src/model/evaluate.ts';
import { itemFrequencies, popularityFrom, type RecModel } from '../src/model/model.ts';
const sets = (process.argv[2] ?? 'Beauty').split(',');
const grid = JSON.parse(process.argv[3] ?? '[{}]') as Record<string, number>[];
for (const name of sets) {
  const log = readSequencesFile(`/work/shared/data/amazon-2014/${name}.txt`);
  const { train, targets } = holdOutLast(log);
  const pop = popularityFrom(itemFrequencies(itemCount(train), train.items));
  for (const g0 of grid) {
    const g = { fa: 0, w: 5, dec: 0.7, bw: 1, ue: 0.5, a: 0.5, b: 0.5, hl: 20, hd: 0.8, wb: 0.05, pw: 0.001, ...g0 };
    const A = pairNeighbours(train, { window: 1, decay: 1, backward: 0, userExponent: 0, alpha: g.fa, beta: 0, topN: 200 });
    const B = pairNeighbours(train, { window: g.w, decay: g.dec, backward: g.bw, userExponent: g.ue, alpha: g.a, beta: g.b, topN: 200 });
    const m: RecModel = { kind: 'mix', version: 'x', trainedAt: '', params: {}, itemIds: train.itemIds, ...pop, popularityWeight: g.pw,
      components: [ { name: 'A', neighbours: A, positionWeights: Float32Array.of(1, 0.5, 0.25) },
        { name: 'B', neighbours: B, positionWeights: geometricWeights(g.hl, g.hd).map((x) => x * g.wb) } ] };
    const r = evaluate(m, train, targets);
    console.log(name, JSON.stringify(g0), r.hr10.toFixed(4), r.ndcg10.toFixed(4), r.hr20.toFixed(4));
  }
}
