/** Tab-separated files with a header line, streamed line by line. */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export async function* readTsv(file: string): AsyncGenerator<string[]> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let header = true;
  for await (const line of lines) {
    if (header) {
      header = false;
      continue;
    }
    if (line.trim() === '') continue;
    yield line.split('\t');
  }
}

export async function readPairs(file: string): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for await (const cols of readTsv(file)) out.push([cols[0] ?? '', cols.slice(1).join(' ')]);
  return out;
}
