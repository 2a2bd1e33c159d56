import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'recs-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): void {
  execFileSync(process.execPath, ['--import', 'tsx', cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

describe('recs cli', () => {
  const input = join(dir, 'tiny.txt');
  writeFileSync(
    input,
    ['1 10 11 12 13', '2 10 11 14', '3 12 13 15 16', '4 11 12 13 10', '5 16 15'].join('\n') + '\n',
  );

  it('topk writes a header and, per user, k ranked items not in their sequence', () => {
    const out = join(dir, 'top.tsv');
    run(['topk', '--interactions', input, '--k', '3', '--out', out]);
    const [header, ...rows] = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(header).toBe('user_id\titem_id\trank');
    const seqs = new Map([
      ['1', ['10', '11', '12', '13']],
      ['2', ['10', '11', '14']],
      ['3', ['12', '13', '15', '16']],
      ['4', ['11', '12', '13', '10']],
      ['5', ['16', '15']],
    ]);
    const byUser = new Map<string, string[][]>();
    for (const r of rows) {
      const f = r.split('\t');
      expect(f).toHaveLength(3);
      byUser.set(f[0]!, [...(byUser.get(f[0]!) ?? []), f]);
    }
    expect([...byUser.keys()]).toEqual(['1', '2', '3', '4', '5']);
    for (const [user, list] of byUser) {
      expect(list.map((f) => f[2])).toEqual(['1', '2', '3']);
      for (const f of list) expect(seqs.get(user)).not.toContain(f[1]);
    }
  });

  it('uses the sibling item attributes file unless told --attributes none', () => {
    writeFileSync(join(dir, 'tiny_item2attributes.json'), JSON.stringify({ '10': [1], '11': [1, 2] }));
    const stderr = (args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', cli, 'topk', '--interactions', input, ...args], {
        encoding: 'utf8',
      }).stderr;
    const out = join(dir, 'attr.tsv');
    expect(stderr(['--out', out])).toContain('tiny_item2attributes.json');
    expect(stderr(['--out', out, '--attributes', 'none'])).not.toContain('item attributes');
  });

  it('train writes a versioned artifact and a current pointer', () => {
    const out = join(dir, 'model');
    run(['train', '--interactions', input, '--out', out]);
    const files = readdirSync(out);
    expect(files).toContain('current');
    expect(files.filter((f) => f.endsWith('.recs'))).toHaveLength(1);
  });
});
