// Tuning runs for the re-ranked model: npx tsx services/recommendations/scripts/rerank-exp.ts Beauty,Toys_and_Games '[{}]' [split]
// split 2 evaluates on the second-to-last item (the ranker then fits on the third-to-last).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { holdOutLast, readSequencesFile } from '../src/model/interactions.ts';
import { trainCooccurrence } from '../src/model/baselines.ts';
import { trainMixture } from '../src/model/mixture.ts';
import { trainReranked } from '../src/model/reranked.ts';
import type { RerankedParams } from '../src/model/reranked.ts';
import { evaluate } from '../src/model/evaluate.ts';
import { readItemAttributes } from '../src/model/attributes.ts';

const sets = (process.argv[2] ?? 'Beauty').split(',');
const grid = JSON.parse(process.argv[3] ?? '[{}]') as Partial<RerankedParams>[];
const split = Number(process.argv[4] ?? '1');
const root = fileURLToPath(new URL('../../..', import.meta.url));
const dir = process.env.EMPORIUM_SHARED_DATA ?? join(root, '..', 'shared', 'data');
const data = sets.map((name) => {
  let log = readSequencesFile(`${dir}/amazon-2014/${name}.txt`);
  for (let i = 1; i < split; i++) log = holdOutLast(log).train;
  const { train, targets } = holdOutLast(log);
  const base = evaluate(trainCooccurrence(train), train, targets).hr10;
  const mix = evaluate(trainMixture(train), train, targets).hr10;
  console.log(
    `${name} split ${split}: baseline ${base.toFixed(4)} mixture ${mix.toFixed(4)} x${(mix / base).toFixed(3)}`,
  );
  const attrs = process.env.NO_ATTRS
    ? undefined
    : readItemAttributes(`${dir}/amazon-2014/${name}_item2attributes.json`, log.itemIds);
  return { name, train, targets, base, attrs };
});
for (const g of grid) {
  const out: string[] = [];
  for (const d of data) {
    const t0 = performance.now();
    const m = trainReranked(d.train, g, d.attrs);
    const t1 = performance.now();
    const r = evaluate(m, d.train, d.targets);
    out.push(
      `${d.name.slice(0, 6)} ${r.hr10.toFixed(4)} x${(r.hr10 / d.base).toFixed(3)} n${r.ndcg10.toFixed(4)} h20 ${r.hr20.toFixed(4)} (${(t1 - t0).toFixed(0)}+${(performance.now() - t1).toFixed(0)}ms, groups ${String(m.params.fitGroups)})`,
    );
  }
  console.log(JSON.stringify(g), out.join(' | '));
}
