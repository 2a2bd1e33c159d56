/**
 * The learned re-ranker: a linear model over standardised features (trained by
 * scripts/train-ranker.ts, committed as model/ranker.json) plus hand-set priors for business
 * features the training data cannot teach (the Home Depot set has titles only). ADR 0203.
 */
import { readFile } from 'node:fs/promises';
import { FEATURES } from './features.ts';

export interface RankerModel {
  format: 'emporium-ranker';
  version: 1;
  features: string[];
  mean: number[];
  std: number[];
  /** Learned weights on standardised features. */
  weights: number[];
  /** Weights on raw feature values, for features constant in training (not learned). */
  priors: Record<string, number>;
  /** How many BM25F candidates are re-ranked. */
  depth: number;
  training?: Record<string, unknown>;
}

export class Ranker {
  private readonly index: number[];
  private readonly priorAt: number[];

  constructor(readonly model: RankerModel) {
    if (model.format !== 'emporium-ranker' || model.version !== 1)
      throw new Error('unsupported ranker model format');
    this.index = model.features.map((name) => FEATURES.indexOf(name as (typeof FEATURES)[number]));
    if (this.index.some((i) => i < 0))
      throw new Error('ranker model names a feature this build does not compute');
    this.priorAt = FEATURES.map((name) => model.priors[name] ?? 0);
  }

  get depth(): number {
    return this.model.depth;
  }

  score(rows: Float64Array[]): number[] {
    const { mean, std, weights } = this.model;
    const { index, priorAt } = this;
    return rows.map((x) => {
      let s = 0;
      for (let k = 0; k < index.length; k++) {
        const sd = std[k] as number;
        if (sd > 0)
          s += ((weights[k] as number) * ((x[index[k] as number] as number) - (mean[k] as number))) / sd;
      }
      for (let fi = 0; fi < priorAt.length; fi++) {
        const w = priorAt[fi] as number;
        if (w !== 0) s += w * (x[fi] as number);
      }
      return s;
    });
  }
}

export async function loadRanker(file: string): Promise<Ranker> {
  return new Ranker(JSON.parse(await readFile(file, 'utf8')) as RankerModel);
}

export const DEFAULT_RANKER_PATH = new URL('../../model/ranker.json', import.meta.url);
