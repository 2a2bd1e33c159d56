/** The indexed text fields, their BM25F weights and how a document yields their text. */
import type { SearchDocument } from '../types.ts';

export const FIELDS = ['title', 'brand', 'category', 'attributes', 'description'] as const;
export type FieldName = (typeof FIELDS)[number];
export const FIELD_COUNT = FIELDS.length;
export const TITLE = 0;

export interface Bm25fParams {
  k1: number;
  /** Per field, in FIELDS order. */
  weights: number[];
  b: number[];
}

/**
 * Title dominates; brand and category are short and precise; descriptions are long and noisy,
 * hence a low weight and strong length normalisation (ADR 0202).
 */
export const DEFAULT_BM25F: Bm25fParams = {
  k1: 1.2,
  weights: [3, 2, 1.5, 1, 0.5],
  b: [0.75, 0.3, 0.3, 0.5, 0.8],
};

export function fieldTexts(doc: SearchDocument): string[] {
  const attrs = doc.attributes ? Object.values(doc.attributes).join(' ') : '';
  return [doc.title, doc.brand ?? '', (doc.categoryPath ?? []).join(' '), attrs, doc.description ?? ''];
}
