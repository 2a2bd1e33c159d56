// npm run recs -- <topk|train> --interactions FILE [--k 20] [--out FILE|DIR] [--model KIND]
import { parseArgs } from 'node:util';
import { readSequencesFile } from './model/interactions.ts';
import { itemCount, userCount } from './model/interactions.ts';
import { BEST_MODEL, MODEL_KINDS, trainModel } from './model/train.ts';
import type { ModelKind } from './model/train.ts';
import { writeArtifact } from './model/artifact.ts';
import { writeTopK } from './model/topk.ts';

const USAGE = `usage:
  recs topk  --interactions FILE --out FILE [--k 20] [--model ${MODEL_KINDS.join('|')}]
  recs train --interactions FILE --out DIR [--model ...]`;

function log(msg: string): void {
  process.stderr.write(`[recs] ${msg}\n`);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      interactions: { type: 'string' },
      out: { type: 'string' },
      k: { type: 'string', default: '20' },
      model: { type: 'string', default: BEST_MODEL },
    },
  });
  const kind = values.model as ModelKind;
  if (
    (command !== 'topk' && command !== 'train') ||
    !values.interactions ||
    !values.out ||
    !MODEL_KINDS.includes(kind)
  ) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const k = Number(values.k);
  if (!Number.isInteger(k) || k < 1) {
    process.stderr.write(`--k must be a positive integer, got ${values.k}\n`);
    return 2;
  }
  const t0 = performance.now();
  log(`reading ${values.interactions}`);
  const data = readSequencesFile(values.interactions);
  log(`${userCount(data)} users, ${itemCount(data)} items, ${data.items.length} interactions`);
  log(`training ${kind} on all sequences`);
  const model = trainModel(data, kind);
  log(`trained ${model.version} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (command === 'train') {
    log(`wrote ${writeArtifact(values.out, model)}`);
  } else {
    await writeTopK(model, data, k, values.out, (done, total) => log(`top-${k}: ${done}/${total} users`));
    log(`wrote ${values.out}`);
  }
  log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
