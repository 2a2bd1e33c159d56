// The evaluation export: for every user, the top k items not in their sequence, as TSV.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Interactions } from './interactions.ts';
import { sequenceOf, userCount } from './interactions.ts';
import type { RecModel } from './model.ts';
import { rankTopK } from './scorer.ts';

export async function writeTopK(
  model: RecModel,
  log: Interactions,
  k: number,
  outPath: string,
  progress: (done: number, total: number) => void = () => {},
): Promise<void> {
  const out = createWriteStream(outPath);
  out.write('user_id\titem_id\trank\n');
  const n = userCount(log);
  let chunk = '';
  for (let u = 0; u < n; u++) {
    const top = rankTopK(model, sequenceOf(log, u), k).items;
    const user = log.userIds[u]!;
    for (let r = 0; r < top.length; r++) chunk += `${user}\t${model.itemIds[top[r]!]!}\t${r + 1}\n`;
    if (chunk.length > 1 << 16 || u === n - 1) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
    if ((u + 1) % 5000 === 0 || u === n - 1) progress(u + 1, n);
  }
  out.end();
  await once(out, 'finish');
}
