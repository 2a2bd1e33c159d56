import { holdOutLast, itemCount, readSequencesFile } from '../src/model/interactions.ts';
import { geometricWeights, pairNeighbours } from '../src/model/itemknn.ts';
import { evaluate } from '../src/model/evaluate.ts';
import { itemFrequencies, popularityFrom, type RecModel, type Component } from '../src/model/model.ts';
const sets = (process.argv[2] ?? 'Beauty').split(',');
const grid = JSON.parse(process.argv[3] ?? '[{}]') as Record<string, number>[];
for (const name of sets) {
  const log = readSequencesFile(`/work/shared/data/amazon-2014/${name}.txt`);
  const { train, targets } = holdOutLast(log);
  const pop = popularityFrom(itemFrequencies(itemCount(train), train.items));
  const lag = (d: number, fa: number, bw = 0) => pairNeighbours(train, { window: d, minDistance: d, decay: 1, backward: bw, userExponent: 0, alpha: fa, beta: 0, topN: 200 });
  for (const g0 of grid) {
    const g = { fa: 0, l1: 1, l1b: 0.5, l1c: 0.25, l2: 0, l3: 0, bk: 0, wb: 0.01, pw: 0.001, ...g0 };
    const B = pairNeighbours(train, { window: 5, decay: 0.7, backward: 1, userExponent: 0.5, alpha: 0.5, beta: 0.2, topN: 200 });
    const comps: Component[] = [
      { name: 'L1', neighbours: lag(1, g.fa), positionWeights: Float32Array.of(g.l1, g.l1b, g.l1c) },
      { name: 'L2', neighbours: lag(2, g.fa), positionWeights: Float32Array.of(0, g.l2) },
      { name: 'L3', neighbours: lag(3, g.fa), positionWeights: Float32Array.of(0, 0, g.l3) },
      { name: 'BK', neighbours: pairNeighbours(train, { window: 1, decay: 1, backward: 1, minDistance: 1, userExponent: 0, alpha: g.fa, beta: 0, topN: 200 }), positionWeights: Float32Array.of(g.bk) },
      { name: 'B', neighbours: B, positionWeights: geometricWeights(20, 0.8).map((x) => x * g.wb) } ];
    const m: RecModel = { kind: 'mix', version: 'x', trainedAt: '', params: {}, itemIds: train.itemIds, ...pop, popularityWeight: g.pw, components: comps };
    const r = evaluate(m, train, targets);
    console.log(name, JSON.stringify(g0), r.hr10.toFixed(4), r.ndcg10.toFixed(4), r.hr20.toFixed(4));
  }
}
