import { holdOutLast, readSequencesFile } from '../src/model/interactions.ts';
import { trainMixture } from '../src/model/mixture.ts';
import { trainCooccurrence } from '../src/model/baselines.ts';
import { evaluate } from '../src/model/evaluate.ts';
const sets = (process.argv[2] ?? 'Beauty').split(',');
const grid = JSON.parse(process.argv[3] ?? '[{}]') as Record<string, number>[];
const data = sets.map((name) => {
  const { train, targets } = holdOutLast(readSequencesFile(`/work/shared/data/amazon-2014/${name}.txt`));
  return { name, train, targets, base: evaluate(trainCooccurrence(train), train, targets).hr10 };
});
for (const g of grid) {
  const out: string[] = [];
  for (const d of data) {
    const t0 = performance.now();
    const m = trainMixture(d.train, g);
    const t1 = performance.now();
    const r = evaluate(m, d.train, d.targets);
    out.push(
      `${d.name.slice(0, 6)} ${r.hr10.toFixed(4)} x${(r.hr10 / d.base).toFixed(3)} n${r.ndcg10.toFixed(4)} (${(t1 - t0).toFixed(0)}+${(performance.now() - t1).toFixed(0)}ms)`,
    );
  }
  console.log(JSON.stringify(g), out.join(' | '));
}
