/**
 * Building an index from any document source: the service's reindex feeds catalog pages through
 * here, the eval command feeds a TSV. Progress is reported every `every` documents.
 */
import { EmbeddedIndex, type EngineOptions } from './embedded/engine.ts';
import type { SearchDocument } from './types.ts';

export interface BuildProgress {
  indexed: number;
  elapsedMs: number;
}

export async function buildIndexFrom(
  docs: AsyncIterable<SearchDocument> | Iterable<SearchDocument>,
  onProgress?: (p: BuildProgress) => void,
  options: Partial<EngineOptions> = {},
  every = 10_000,
): Promise<EmbeddedIndex> {
  const index = new EmbeddedIndex(options);
  const started = performance.now();
  let n = 0;
  for await (const doc of docs) {
    index.upsert(doc);
    if (++n % every === 0) onProgress?.({ indexed: n, elapsedMs: performance.now() - started });
  }
  index.cluster();
  onProgress?.({ indexed: n, elapsedMs: performance.now() - started });
  return index;
}

export function createEmbeddedIndex(options: Partial<EngineOptions> = {}): EmbeddedIndex {
  return new EmbeddedIndex(options);
}
