// The offline half: reads the interaction log, trains in a worker thread, writes a versioned artifact
// under <dataDir>/recs/ and swaps it into the serving slot.
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { readArtifact, readCurrentArtifact } from '../model/artifact.ts';
import type { ModelSlot } from '../model/recommend.ts';
import type { ModelKind } from '../model/train.ts';
import type { Catalogue } from './catalogue.ts';
import type { RecsStore } from './store.ts';
import { runTrainJob, type TrainJob, type TrainMessage } from './train-worker.ts';
import type { ModelInfo } from './types.ts';

export interface TrainerOptions {
  dir: string;
  kind: ModelKind;
  /** Train in a worker thread (default); false runs on the calling thread (CLI, small tests). */
  inWorker: boolean;
  /** Fewer sequences with two or more items than this: nothing to learn from, keep serving cold start. */
  minSequences: number;
  /** Artifacts kept on disk besides the current one. */
  keep: number;
  logger: Logger;
}

const WORKER_URL = new URL('./train-worker.mjs', import.meta.url);

export class Trainer {
  private running: Promise<ModelInfo | undefined> | undefined;
  private trainedThrough = -1;
  private worker: Worker | undefined;
  private stopped = false;
  onSwap: (info: ModelInfo) => void = () => {};

  constructor(
    private readonly store: RecsStore,
    private readonly catalogue: Catalogue,
    private readonly slot: ModelSlot,
    private readonly options: TrainerOptions,
  ) {}

  /** Loads the artifact `current` points at, if any; a broken file is logged and left for retraining. */
  async loadCurrent(): Promise<boolean> {
    if (!existsSync(join(this.options.dir, 'current'))) return false;
    try {
      const model = readCurrentArtifact(this.options.dir);
      this.slot.swap(model);
      this.trainedThrough = (await this.store.modelRecord(model.version))?.lastInteractionId ?? -1;
      this.options.logger.info({ version: model.version }, 'recommendations model loaded');
      return true;
    } catch (err) {
      this.options.logger.warn({ err }, 'recommendations model unreadable; will retrain');
      return false;
    }
  }

  /** Picks up an artifact another process (the CLI, another replica on a shared disk) pointed `current` at. */
  async reloadIfChanged(): Promise<boolean> {
    const pointer = join(this.options.dir, 'current');
    if (!existsSync(pointer)) return false;
    const file = readFileSync(pointer, 'utf8').trim();
    if (file === `${this.slot.get()?.version}.recs`) return false;
    return this.loadCurrent();
  }

  /** Trains unless the log has not grown since the model in service was trained. */
  async trainIfStale(): Promise<ModelInfo | undefined> {
    if ((await this.store.lastInteractionId()) === this.trainedThrough) return undefined;
    return this.train();
  }

  /** One training at a time: a second caller shares the run in progress. */
  train(): Promise<ModelInfo | undefined> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<ModelInfo | undefined> {
    const log = this.options.logger;
    const started = performance.now();
    const { rows, lastId, total } = await this.store.readSequences(50_000, (n) =>
      log.debug({ rows: n }, 'recommendations: reading the interaction log'),
    );
    const learnable = rows.filter((r) => r.items.length >= 2).length;
    if (learnable < this.options.minSequences) {
      log.info({ sequences: learnable }, 'recommendations: too little data to train; cold start serves');
      this.trainedThrough = lastId;
      return undefined;
    }
    const job: TrainJob = {
      rows,
      dir: this.options.dir,
      kind: this.options.kind,
      ...(this.catalogue.size > 0 ? { attributesJson: this.catalogue.attributesJson() } : {}),
    };
    const progress = (message: string) => log.debug({ message }, 'recommendations training');
    const done = this.options.inWorker ? await this.inWorker(job, progress) : runTrainJob(job, progress);
    if (done.type !== 'done') throw new Error('training ended without a model');
    if (this.stopped) return undefined;
    const model = readArtifact(done.path);
    const info: ModelInfo = {
      version: model.version,
      kind: model.kind,
      trainedAt: model.trainedAt,
      users: done.users,
      items: done.items,
      interactions: done.interactions,
      trainMs: Math.round(performance.now() - started),
    };
    await this.store.recordModel(info, lastId, done.path);
    this.slot.swap(model);
    this.trainedThrough = lastId;
    this.prune(done.path);
    log.info({ ...info, rows: total }, 'recommendations model trained and swapped in');
    this.onSwap(info);
    return info;
  }

  /** Old artifacts go, newest first kept: a rollback needs only `current` rewritten. */
  private prune(current: string): void {
    const files = readdirSync(this.options.dir)
      .filter((f) => f.endsWith('.recs'))
      .map((f) => join(this.options.dir, f))
      .filter((f) => f !== current)
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
    for (const f of files.slice(this.options.keep)) rmSync(f, { force: true });
  }

  /** Abandons a training in progress: its worker is terminated; an artifact it renamed into place stays valid. */
  stop(): void {
    this.stopped = true;
    this.cancel();
  }

  /** Abandons the training in progress only: the next `train` starts afresh. */
  cancel(): void {
    void this.worker?.terminate();
  }

  private inWorker(job: TrainJob, progress: (message: string) => void): Promise<TrainMessage> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(WORKER_URL, { workerData: { recsTrainJob: true } });
      this.worker = worker;
      worker.on('message', (m: TrainMessage) => {
        if (m.type === 'progress') return progress(m.message);
        resolve(m);
        void worker.terminate();
      });
      worker.on('error', reject);
      worker.on('exit', (code) => {
        if (this.worker === worker) this.worker = undefined;
        reject(new Error(`training worker exited with code ${code}`));
      });
      worker.postMessage(job);
    });
  }
}
