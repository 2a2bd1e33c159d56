// npm run bench -- recs [Beauty,Sports_and_Outdoors,Toys_and_Games]
// Validation protocol on amazon-2014: hide each sequence's last item, predict it with full ranking (own items
// excluded). Popularity and the co-occurrence baseline run in the same process as our models. The re-ranked
// model (best) also reads the item attributes file; it fits its ranker on the log without each last item, so the
// evaluated item is never seen in training.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelKind, RankingMetrics, RecModel } from '../services/recommendations/src/index.ts';
import {
  BEST_MODEL,
  holdOutLast,
  readItemAttributes,
  readSequencesFile,
  recommend,
  summarise,
  targetRanks,
  trainModel,
} from '../services/recommendations/src/index.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = join(process.env.EMPORIUM_SHARED_DATA ?? join(root, '..', 'shared', 'data'), 'amazon-2014');
const KINDS: ModelKind[] = ['popularity', 'cooccurrence', 'itemknn', 'mixture', 'reranked'];

interface Row extends RankingMetrics {
  dataset: string;
  model: ModelKind;
  trainMs: number;
  /** CPU time of training: the machine is shared, so wall time moves with other load. */
  trainCpuMs: number;
  rssMB: number;
  heapMB: number;
  scoreP50Ms: number;
  scoreP99Ms: number;
  scoreCpuP99Ms: number;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** Wall time per request, and CPU time (the 2 cores are shared: wall p99 includes waiting for a core). */
function scoringLatency(
  model: RecModel,
  histories: string[][],
): { p50: number; p99: number; cpuP99: number } {
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (const history of histories) {
    const c = process.cpuUsage();
    const t = performance.now();
    recommend(model, { history, k: 20 });
    times.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpuTimes.push((used.user + used.system) / 1000);
  }
  times.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), cpuP99: quantile(cpuTimes, 0.99) };
}

function runOne(dataset: string, kind: ModelKind): Row {
  const { train, targets } = holdOutLast(readSequencesFile(join(dataDir, `${dataset}.txt`)));
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  let peakRss = rss0;
  let peakHeap = process.memoryUsage().heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 5);
  const attributes =
    kind === 'reranked'
      ? readItemAttributes(join(dataDir, `${dataset}_item2attributes.json`), train.itemIds)
      : undefined;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const model = trainModel(train, kind, {
    attributes,
    progress: (msg) => process.stderr.write(`[bench recs] ${dataset} ${msg}\n`),
  });
  const trainMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const trainCpuMs = (cpu.user + cpu.system) / 1000;
  clearInterval(timer);
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
  const metrics = summarise(targetRanks(model, train, targets));
  const sample: string[][] = [];
  for (let u = 0; u < train.offsets.length - 1 && sample.length < 2000; u += 7) {
    sample.push(
      Array.from(train.items.subarray(train.offsets[u]!, train.offsets[u + 1]!), (i) => train.itemIds[i]!),
    );
  }
  const lat = scoringLatency(model, sample);
  return {
    dataset,
    model: kind,
    ...metrics,
    trainMs,
    trainCpuMs,
    rssMB: peakRss / 2 ** 20,
    heapMB: peakHeap / 2 ** 20,
    scoreP50Ms: lat.p50,
    scoreP99Ms: lat.p99,
    scoreCpuP99Ms: lat.cpuP99,
  };
}

export async function main(args: string[]): Promise<void> {
  const datasets = (args[0] ?? 'Beauty,Sports_and_Outdoors,Toys_and_Games').split(',');
  const rows: Row[] = [];
  for (const d of datasets) {
    for (const kind of KINDS) {
      process.stderr.write(`[bench recs] ${d} ${kind}\n`);
      rows.push(runOne(d, kind));
    }
  }
  const ratios = datasets.map((d) => {
    const base = rows.find((r) => r.dataset === d && r.model === 'cooccurrence')!;
    const ratio = (kind: ModelKind) =>
      rows.find((r) => r.dataset === d && r.model === kind)!.hr10 / base.hr10;
    return {
      dataset: d,
      baselineHr10: base.hr10,
      itemknnRatio: ratio('itemknn'),
      mixtureRatio: ratio('mixture'),
      bestRatio: ratio(BEST_MODEL),
    };
  });
  const f = (x: number) => x.toFixed(4);
  const lines = [
    '| data | model | HR@10 | NDCG@10 | HR@20 | NDCG@20 | train ms | train CPU ms | peak RSS MB | peak heap MB | score p50 ms | score p99 ms | score CPU p99 ms |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.dataset} | ${r.model} | ${f(r.hr10)} | ${f(r.ndcg10)} | ${f(r.hr20)} | ${f(r.ndcg20)} | ${r.trainMs.toFixed(0)} | ${r.trainCpuMs.toFixed(0)} | ${r.rssMB.toFixed(0)} | ${r.heapMB.toFixed(0)} | ${r.scoreP50Ms.toFixed(3)} | ${r.scoreP99Ms.toFixed(3)} | ${r.scoreCpuP99Ms.toFixed(3)} |`,
    ),
    '',
    `| data | baseline HR@10 | item-kNN / baseline | mixture / baseline | best (${BEST_MODEL}) / baseline |`,
    '|---|---|---|---|---|',
    ...ratios.map(
      (r) =>
        `| ${r.dataset} | ${f(r.baselineHr10)} | ${r.itemknnRatio.toFixed(3)} | ${r.mixtureRatio.toFixed(3)} | ${r.bestRatio.toFixed(3)} |`,
    ),
  ];
  const md = `# recs bench (validation protocol: last remaining item hidden, full ranking, own items excluded)\n\n${lines.join('\n')}\n`;
  console.log(md);
  const out = join(root, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  const meta = {
    node: process.version,
    date: new Date().toISOString(),
    protocol: 'leave-last-out on the given files, full ranking, own items excluded',
  };
  writeFileSync(join(out, 'recs.json'), `${JSON.stringify({ ...meta, rows, ratios }, null, 2)}\n`);
  writeFileSync(join(out, 'recs.md'), md);
}
