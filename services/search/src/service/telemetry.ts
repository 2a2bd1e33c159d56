/** The indexing metrics: lag from event to applied change, index size, rebuild progress. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface IndexingMetrics {
  lag: Histogram;
  lastLag: Gauge;
  documents: Gauge;
  applied: Counter<'kind'>;
}

function existing<T>(registry: Registry, name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined;
}

export function indexingMetrics(registry: Registry): IndexingMetrics {
  return {
    lag:
      existing<Histogram>(registry, 'search_indexing_lag_seconds') ??
      new Histogram({
        name: 'search_indexing_lag_seconds',
        help: 'Time from a catalog or inventory event (occurredAt) to its change being searchable',
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
        registers: [registry],
      }),
    lastLag:
      existing<Gauge>(registry, 'search_indexing_last_lag_seconds') ??
      new Gauge({
        name: 'search_indexing_last_lag_seconds',
        help: 'Indexing lag of the most recently applied event',
        registers: [registry],
      }),
    documents:
      existing<Gauge>(registry, 'search_index_documents') ??
      new Gauge({
        name: 'search_index_documents',
        help: 'Products in the search index',
        registers: [registry],
      }),
    applied:
      existing<Counter<'kind'>>(registry, 'search_index_events_total') ??
      new Counter({
        name: 'search_index_events_total',
        help: 'Events seen by the indexer, by outcome (applied, stale, ignored)',
        labelNames: ['kind'],
        registers: [registry],
      }),
  };
}
