// Service metrics: what served each list, and the model in service.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ModelInfo, Placement, Strategy } from './types.ts';

function existing<T>(registry: Registry, name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined;
}

export function recsMetrics(registry: Registry) {
  const served =
    existing<Counter<'placement' | 'strategy'>>(registry, 'recs_lists_served_total') ??
    new Counter({
      name: 'recs_lists_served_total',
      help: 'Recommendation lists served, by placement and the strategy that produced them',
      labelNames: ['placement', 'strategy'],
      registers: [registry],
    });
  const trainedAt =
    existing<Gauge>(registry, 'recs_model_trained_timestamp_seconds') ??
    new Gauge({
      name: 'recs_model_trained_timestamp_seconds',
      help: 'When the model in service was trained',
      registers: [registry],
    });
  const trainSeconds =
    existing<Gauge>(registry, 'recs_model_training_seconds') ??
    new Gauge({
      name: 'recs_model_training_seconds',
      help: 'Wall time of the last training (log read, worker, artifact load)',
      registers: [registry],
    });
  return {
    served: (placement: Placement, strategy: Strategy) => served.inc({ placement, strategy }),
    modelTrained: (info: ModelInfo) => {
      trainedAt.set(Date.parse(info.trainedAt) / 1000);
      trainSeconds.set(info.trainMs / 1000);
    },
  };
}
