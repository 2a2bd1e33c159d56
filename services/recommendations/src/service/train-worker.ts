// Trains one model off the serving thread and writes its artifact; the parent loads it and swaps it in.
import { parentPort, workerData } from 'node:worker_threads';
import { fromSequences } from '../model/interactions.ts';
import { parseItemAttributes } from '../model/attributes.ts';
import { trainModel, type ModelKind } from '../model/train.ts';
import { writeArtifact } from '../model/artifact.ts';

export interface TrainJob {
  rows: { user: string; items: string[] }[];
  attributesJson?: string;
  dir: string;
  kind: ModelKind;
}

export type TrainMessage =
  | { type: 'progress'; message: string }
  | { type: 'done'; path: string; version: string; users: number; items: number; interactions: number };

/** The training itself, shared by the worker and the in-thread fallback. */
export function runTrainJob(job: TrainJob, progress: (message: string) => void): TrainMessage {
  const log = fromSequences(job.rows);
  const attributes = job.attributesJson ? parseItemAttributes(job.attributesJson, log.itemIds) : undefined;
  const model = trainModel(log, job.kind, { progress, ...(attributes ? { attributes } : {}) });
  const path = writeArtifact(job.dir, model);
  return {
    type: 'done',
    path,
    version: model.version,
    users: log.userIds.length,
    items: log.itemIds.length,
    interactions: log.items.length,
  };
}

if (parentPort && (workerData as { recsTrainJob?: boolean } | null)?.recsTrainJob) {
  const port = parentPort;
  port.once('message', (job: TrainJob) => {
    const done = runTrainJob(job, (message) => port.postMessage({ type: 'progress', message }));
    port.postMessage(done);
  });
}
