// npm run recs -- <topk|train> --interactions FILE [--k 20] [--out FILE|DIR] [--model KIND] [--attributes FILE|none]
//                 train --from-db [--out DIR] [--model KIND]
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readSequencesFile } from './model/interactions.ts';
import { itemCount, userCount } from './model/interactions.ts';
import { BEST_MODEL, MODEL_KINDS, trainModel } from './model/train.ts';
import type { ModelKind } from './model/train.ts';
import { writeArtifact } from './model/artifact.ts';
import { writeTopK } from './model/topk.ts';
import { readItemAttributes } from './model/attributes.ts';

const USAGE = `usage:
  recs topk  --interactions FILE --out FILE [--k 20] [--model ${MODEL_KINDS.join('|')}] [--attributes FILE|none]
  recs train --interactions FILE --out DIR [--model ...] [--attributes FILE|none]
  recs train --from-db [--out DIR] [--model ...]   (the service's interaction log; DATABASE_URL or DATA_DIR)
Item attributes (brand/category ids, {"item": [attr, ...]}) default to <FILE without .txt>_item2attributes.json
when that file exists.`;

function log(msg: string): void {
  process.stderr.write(`[recs] ${msg}\n`);
}

function attributesPath(interactions: string, given: string | undefined): string | undefined {
  if (given === 'none') return undefined;
  if (given) return given;
  const sibling = interactions.replace(/\.txt$/, '') + '_item2attributes.json';
  return existsSync(sibling) ? sibling : undefined;
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
      attributes: { type: 'string' },
      'from-db': { type: 'boolean', default: false },
    },
  });
  const kind = values.model as ModelKind;
  if (command === 'train' && values['from-db'] && MODEL_KINDS.includes(kind)) {
    const { trainFromDatabase } = await import('./service/train-from-db.ts');
    const info = await trainFromDatabase({ kind, ...(values.out ? { out: values.out } : {}) });
    log(info ? `trained ${info.version} (${JSON.stringify(info)})` : 'too little data: nothing trained');
    return info ? 0 : 1;
  }
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
  const attrPath = attributesPath(values.interactions, values.attributes);
  if (attrPath) log(`item attributes from ${attrPath}`);
  const attributes = attrPath ? readItemAttributes(attrPath, data.itemIds) : undefined;
  log(`training ${kind} on all sequences`);
  const model = trainModel(data, kind, { attributes, progress: log });
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
