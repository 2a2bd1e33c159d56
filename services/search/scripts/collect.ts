/** Builds the engine over the Home Depot products and featurises every dev query's candidates. */
import { buildIndexFrom } from '../src/build.ts';
import type { EmbeddedIndex } from '../src/embedded/engine.ts';
import { parseQuery } from '../src/query-parser.ts';
import type { TrainingQuery } from '../src/ranker/train.ts';
import { loadSynonyms } from '../src/synonyms.ts';
import type { HomeDepot } from './homedepot.ts';

export const SYNONYMS_FILE = new URL('../synonyms.txt', import.meta.url).pathname;
export const CANDIDATE_DEPTH = 100;

export async function buildHomeDepotIndex(hd: HomeDepot): Promise<EmbeddedIndex> {
  const synonyms = await loadSynonyms(SYNONYMS_FILE);
  return buildIndexFrom(
    hd.products.map(([id, title]) => ({ id, title })),
    undefined,
    { synonyms },
  );
}

export function collectTrainingQueries(
  index: EmbeddedIndex,
  hd: HomeDepot,
  log?: (s: string) => void,
): TrainingQuery[] {
  const out: TrainingQuery[] = [];
  hd.queries.forEach(([qid, raw], i) => {
    const allGains = hd.judgments.get(qid);
    if (!allGains || ![...allGains.values()].some((g) => g > 0)) return;
    const parsed = parseQuery(raw);
    if (!parsed.ok) return;
    const { docs, rows } = index.candidateFeatures(parsed.query.text, CANDIDATE_DEPTH);
    const ids = docs.map((d) => index.docs[d]?.id ?? '');
    out.push({ id: qid, docs: ids, rows, gains: ids.map((id) => allGains.get(id) ?? 0), allGains });
    if (log && (i + 1) % 2000 === 0) log(`featurised ${i + 1}/${hd.queries.length} queries`);
  });
  return out;
}
