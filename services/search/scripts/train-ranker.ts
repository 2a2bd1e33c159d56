/**
 * Trains the re-ranker on the Home Depot development split and writes model/ranker.json.
 *   npx tsx services/search/scripts/train-ranker.ts [--folds 5]
 * Reports nested cross-validated held-out NDCG@10; the committed model is then trained on all
 * development queries with the hyper-parameters that cross-validation prefers.
 */
import { writeFile } from 'node:fs/promises';
import { crossValidate, selectHyperParams, trainModel } from '../src/ranker/train.ts';
import { buildHomeDepotIndex, collectTrainingQueries } from './collect.ts';
import { loadHomeDepot } from './homedepot.ts';

/** Business features the titles-only data cannot teach: small hand-set nudges on raw values. */
export const PRIORS: Record<string, number> = {
  popularity: 0.05,
  sales: 0.05,
  rating: 0.2,
  in_stock: 0.3,
  freshness: 0.1,
  recent_category: 0.3,
};

const log = (s: string) => process.stderr.write(`${s}\n`);
const args = process.argv.slice(2);
const folds = Number(args[args.indexOf('--folds') + 1] ?? 5) || 5;
const out = new URL('../model/ranker.json', import.meta.url).pathname;

const hd = await loadHomeDepot();
log(`indexing ${hd.products.length} products`);
const index = await buildHomeDepotIndex(hd);
const queries = collectTrainingQueries(index, hd, log);
log(`${queries.length} queries with positive judgments; nested ${folds}-fold cross-validation`);
const cv = crossValidate(queries, folds, log);
log(`held-out NDCG@10 ${cv.meanHeldOutNdcg.toFixed(4)} vs engine alone ${cv.meanBaselineNdcg.toFixed(4)}`);
log('choosing final hyper-parameters on all development queries');
const hp = selectHyperParams(queries, folds, '#final', log);
const model = trainModel(queries, hp, PRIORS);
model.training = {
  data: 'homedepot development split (titles only)',
  queries: queries.length,
  hyperParams: hp,
  crossValidation: {
    folds,
    nested: true,
    meanHeldOutNdcg10: round(cv.meanHeldOutNdcg),
    meanEngineAloneNdcg10: round(cv.meanBaselineNdcg),
    perFold: cv.folds.map((f) => ({
      ...f,
      heldOutNdcg: round(f.heldOutNdcg),
      baselineNdcg: round(f.baselineNdcg),
    })),
  },
  note: 'priors are hand-set, not learned: those features are constant in this data',
};
await writeFile(out, JSON.stringify(model, null, 2) + '\n');
log(`wrote ${out}`);

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
