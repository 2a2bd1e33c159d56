import { describe, expect, it } from 'vitest';
import { analyze } from './analyzer.ts';
import { stem } from './stemmer.ts';

describe('analyzer', () => {
  it('spells one size the same whichever way it is written', () => {
    const forms = ['1/2 in. pipe', '1/2 inch pipe', '.5" pipe', '0.5 inches pipe', '1/2" pipe'];
    for (const f of forms) expect(analyze(f)).toEqual(['0.5', 'in', stem('pipe')]);
  });

  it('reads mixed numbers, thousands separators and feet marks', () => {
    expect(analyze('1-1/2 in.')).toEqual(['1.5', 'in']);
    expect(analyze('100,000 BTU')).toEqual(['100000', 'btu']);
    expect(analyze("20' hose")).toEqual(['20', 'ft', stem('hose')]);
  });

  it('drops the x of dimensions and splits numbers from letters', () => {
    expect(analyze('2x4x8')).toEqual(['2', '4', '8']);
    expect(analyze('18v drill')).toEqual(['18', 'volt', 'drill']);
  });

  it('keeps "in" as a unit after a number but drops it as a stop word', () => {
    expect(analyze('Faucet in Chrome')).toEqual(['faucet', stem('chrome')]);
    expect(analyze('24 in Vanity')).toEqual(['24', 'in', stem('vanity')]);
  });

  it('folds case and accents', () => {
    expect(analyze('Café CRÈME')).toEqual(analyze('cafe creme'));
  });

  it('meets plurals and inflections at one stem', () => {
    expect(stem('batteries')).toBe(stem('battery'));
    expect(stem('boxes')).toBe(stem('box'));
    expect(stem('wired')).toBe(stem('wire'));
    expect(stem('cutting')).toBe(stem('cut'));
    expect(stem('glass')).toBe('glass');
  });
});
