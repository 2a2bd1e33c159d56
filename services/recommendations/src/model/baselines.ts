// Reference models: popularity, and the next-item co-occurrence baseline exactly as issue 8 defines it.
import type { Interactions } from './interactions.ts';
import { itemCount, sequenceOf, userCount } from './interactions.ts';
import type { RecModel } from './model.ts';
import { itemFrequencies, newVersion, popularityFrom } from './model.ts';
import { bucketPairs, reduceRows } from './neighbours.ts';

export function trainPopularity(log: Interactions): RecModel {
  const pop = popularityFrom(itemFrequencies(itemCount(log), log.items));
  return base(log, 'popularity', pop, [], {});
}

/**
 * Counts how often b directly follows a over all sequences; a user's candidates are scored by the counts from
 * their last three items with weights 1, 0.5, 0.25; items no count reaches fall back to popularity order.
 * Neighbour lists are not truncated unless `topN` is given, so the baseline is exact by default.
 */
export function trainCooccurrence(log: Interactions, topN = Number.MAX_SAFE_INTEGER): RecModel {
  const n = itemCount(log);
  const buckets = bucketPairs(n, (visit) => {
    for (let u = 0; u < userCount(log); u++) {
      const s = sequenceOf(log, u);
      for (let i = 0; i + 1 < s.length; i++) visit(s[i]!, s[i + 1]!, 1);
    }
  });
  const neighbours = reduceRows(buckets, topN, (_a, _b, sum) => sum);
  const pop = popularityFrom(itemFrequencies(n, log.items));
  const component = { name: 'next-item', neighbours, positionWeights: Float32Array.of(1, 0.5, 0.25) };
  return base(log, 'cooccurrence', pop, [component], { topN: Math.min(topN, n) });
}

function base(
  log: Interactions,
  kind: string,
  pop: ReturnType<typeof popularityFrom>,
  components: RecModel['components'],
  params: RecModel['params'],
): RecModel {
  return {
    kind,
    version: newVersion(kind),
    trainedAt: new Date().toISOString(),
    params,
    itemIds: log.itemIds,
    popularity: pop.popularity,
    popularOrder: pop.popularOrder,
    popularityWeight: 0,
    components,
  };
}
