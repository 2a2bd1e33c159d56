import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deserialise, readCurrentArtifact, serialise, writeArtifact } from './artifact.ts';
import { shampooLog } from './fixtures.ts';
import { recommend } from './recommend.ts';
import { MODEL_KINDS, trainModel } from './train.ts';

const dir = mkdtempSync(join(tmpdir(), 'recs-artifact-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('model artifact', () => {
  for (const kind of MODEL_KINDS) {
    it(`round-trips a ${kind} model with identical recommendations`, () => {
      const model = trainModel(shampooLog(), kind);
      const copy = deserialise(serialise(model));
      expect(copy.version).toBe(model.version);
      expect(copy.itemIds).toEqual(model.itemIds);
      for (const history of [['shampoo'], ['towel', 'lotion'], []]) {
        expect(recommend(copy, { history, k: 5 })).toEqual(recommend(model, { history, k: 5 }));
      }
    });
  }

  it('points current at the newest artifact and leaves no temp files', () => {
    const first = trainModel(shampooLog());
    const second = trainModel(shampooLog());
    writeArtifact(dir, first);
    writeArtifact(dir, second);
    expect(readCurrentArtifact(dir).version).toBe(second.version);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('rejects a file that is not an artifact', () => {
    expect(() => deserialise(Buffer.from('hello world, not a model'))).toThrow(/not a recommendations model/);
  });
});
