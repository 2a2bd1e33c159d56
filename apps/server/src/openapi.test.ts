// The public API description as a client reads it at /api/openapi.json (issue 18, item 16).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStore, type TestStore } from './testing/test-store.ts';

interface Operation {
  description?: string;
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { content?: Record<string, unknown> }>;
}
type Document = { paths: Record<string, Record<string, Operation>> };

/** Takes no input and is not rate limited (token checks must always reach it): no 4xx to document. */
const NO_CLIENT_ERROR = ['GET /.well-known/jwks.json'];

let store: TestStore;
let doc: Document;

beforeAll(async () => {
  store = await startTestStore();
  doc = (await (await fetch(`${store.url}/api/openapi.json`)).json()) as Document;
}, 60_000);
afterAll(() => store.close());

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
  );

describe('the OpenAPI document', () => {
  it('gives every operation a 4xx problem+json response', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(20);
    const missing = ops
      .filter(({ op }) =>
        Object.entries(op.responses).every(
          ([status, r]) => !/^4\d\d$/.test(status) || !r.content?.['application/problem+json'],
        ),
      )
      .map((o) => o.name);
    expect(missing).toEqual(NO_CLIENT_ERROR);
  });

  it('documents 401 and 403 for a seller route and 404 for a route with an id', () => {
    const upload = doc.paths['/api/v1/seller/products/{id}/images']!.post!;
    expect(Object.keys(upload.responses)).toEqual(
      expect.arrayContaining(['400', '401', '403', '404', '429']),
    );
  });

  it('declares the image upload body and its content types', () => {
    const upload = doc.paths['/api/v1/seller/products/{id}/images']!.post!;
    expect(Object.keys(upload.requestBody?.content ?? {})).toEqual(
      expect.arrayContaining(['image/png', 'image/jpeg', 'image/webp', 'image/gif']),
    );
  });

  it('describes the import columns for CSV and NDJSON', () => {
    const importOp = doc.paths['/api/v1/seller/products/import']!.post!;
    for (const column of [
      'handle',
      'sku',
      'price',
      'price_amount',
      'currency',
      'stock',
      'variant_attributes',
    ])
      expect(importOp.description).toContain(`\`${column}\``);
    expect(Object.keys(importOp.requestBody?.content ?? {})).toEqual(
      expect.arrayContaining(['text/csv', 'application/x-ndjson']),
    );
  });
});
