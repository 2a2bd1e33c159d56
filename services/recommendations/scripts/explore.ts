import { holdOutLast, readSequencesFile } from '../src/model/interactions.ts';
import { trainCooccurrence, trainPopularity } from '../src/model/baselines.ts';
import { trainItemKnn } from '../src/model/itemknn.ts';
import { evaluate } from '../src/model/evaluate.ts';
import type { RecModel } from '../src/model/model.ts';

const sets = (process.argv[2] ?? 'Beauty').split(',');
const extra = process.argv[3] ? (JSON.parse(process.argv[3]) as Record<string, number>[]) : [{}];
for (const name of sets) {
  const log = readSequencesFile(`/work/shared/data/amazon-2014/${name}.txt`);
  const { train, targets } = holdOutLast(log);
  const run = (label: string, f: () => RecModel) => {
    const t0 = performance.now();
    const m = f();
    const t1 = performance.now();
    const r = evaluate(m, train, targets);
    const t2 = performance.now();
    console.log(name, label, r.hr10.toFixed(4), r.ndcg10.toFixed(4), r.hr20.toFixed(4), `train ${(t1 - t0).toFixed(0)}ms eval ${(t2 - t1).toFixed(0)}ms`);
    return r;
  };
  if (!process.argv[3]) {
    run('pop', () => trainPopularity(train));
    run('cooc', () => trainCooccurrence(train));
  }
  for (const p of extra) run('knn ' + JSON.stringify(p), () => trainItemKnn(train, p));
}
