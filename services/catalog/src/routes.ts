import type { Readable } from 'node:stream';
import { Type } from 'typebox';
import { requireUser, validation, type HttpServer } from '@emporium/platform';
import type { Catalog } from './catalog.ts';
import type { BlobStore } from './blob-store.ts';
import { contentTypeOfKey, MAX_IMAGE_BYTES } from './images.ts';
import { importProducts, formatOf } from './importer.ts';
import type { CategoryAdmin } from './category-admin.ts';
import {
  ApproveSchema,
  CategoryCreateSchema,
  CategoryNodeSchema,
  CategoryPatchSchema,
  CategorySchema,
  IdParams,
  ImportReportSchema,
  ListQuerySchema,
  ListingSchema,
  ProductDetailSchema,
  ProductInputSchema,
  ProductPatchSchema,
  ProposalInputSchema,
  ProposalListQuerySchema,
  ProposalSchema,
  RejectSchema,
  SellerListQuerySchema,
} from './schemas.ts';

const tags = ['catalog'];
const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'application/octet-stream'];
const IMPORT_TYPES = ['text/csv', 'application/x-ndjson', 'application/ndjson', 'application/jsonl'];

const IMAGE_BODY = {
  description: `The image bytes, at most ${MAX_IMAGE_BYTES} bytes`,
  content: Object.fromEntries(IMAGE_TYPES.map((t) => [t, { schema: { type: 'string', format: 'binary' } }])),
};

const CSV_EXAMPLE = [
  'handle,title,description,brand,category,status,attributes,sku,variant_title,price,currency,variant_attributes,stock',
  'tee-1,Linen Tee,A light tee,Loom,Fashion/Tops,active,material=linen,TEE-1-S,Small,19.99,USD,size=S,40',
  'tee-1,,,,,,,TEE-1-M,Medium,19.99,USD,size=M,25',
].join('\n');
const NDJSON_EXAMPLE = [
  '{"handle":"tee-1","title":"Linen Tee","category":"Fashion/Tops","status":"active","variants":[{"sku":"TEE-1-S","price":{"amount":1999,"currency":"USD"},"attributes":{"size":"S"},"stock":40}]}',
  '{"title":"Mug","category":"Home/Kitchen","sku":"MUG-1","price_amount":899,"currency":"USD"}',
].join('\n');

const IMPORT_DESCRIPTION = `One product per group of rows; re-running the same file changes nothing.

**Columns** (CSV header row, case-insensitive; the same names as NDJSON keys):
- \`handle\`: the product's key for this seller (default: its first sku); rows of one product are adjacent and share it
- \`title\`, \`description\`, \`brand\`, \`category\` (a path such as \`Fashion/Tops\`), \`status\` (\`draft\`, \`active\`, \`archived\`), \`attributes\` (\`name=value|name=value\` or a JSON object): product fields, read from the first row of a product
- \`sku\` (required), \`variant_title\`, \`variant_attributes\` (as \`attributes\`), \`stock\` (units on hand): one variant per row
- \`price\` (a decimal in major units, \`19.99\`) or \`price_amount\` (integer minor units, \`1999\`), and \`currency\` (ISO 4217, default USD)
- \`seller\`: admins only, the seller the row is imported for (or \`?seller=\`)

**NDJSON**: one JSON object per line, either a flat row with the keys above or a full product with \`variants: [{sku, price: {amount, currency}, attributes, stock}]\`.

CSV example:
\`\`\`
${CSV_EXAMPLE}
\`\`\`
NDJSON example:
\`\`\`
${NDJSON_EXAMPLE}
\`\`\``;

const IMPORT_BODY = {
  description: 'CSV with a header row, or NDJSON (one object per line); streamed, no size limit',
  content: {
    'text/csv': { schema: { type: 'string' }, example: CSV_EXAMPLE },
    'application/x-ndjson': { schema: { type: 'string' }, example: NDJSON_EXAMPLE },
    'application/ndjson': { schema: { type: 'string' }, example: NDJSON_EXAMPLE },
    'application/jsonl': { schema: { type: 'string' }, example: NDJSON_EXAMPLE },
  },
};
const YEAR = 31_536_000;

export function registerPublicRoutes(
  app: HttpServer,
  catalog: Catalog,
  blobs: BlobStore,
  cacheSeconds: number,
) {
  app.get(
    '/categories',
    {
      schema: { tags, summary: 'The category tree', response: { 200: Type.Array(CategoryNodeSchema) } },
      config: { publicCacheSeconds: cacheSeconds },
    },
    async () => catalog.categories(),
  );

  app.get(
    '/products',
    {
      schema: {
        tags,
        summary: 'Browse active products (keyset pagination)',
        querystring: ListQuerySchema,
        response: { 200: ListingSchema },
      },
      config: { publicCacheSeconds: cacheSeconds },
    },
    async (request) => catalog.listProducts(request.query),
  );

  app.get(
    '/products/:id',
    {
      schema: {
        tags,
        summary: 'A product with variants, images, breadcrumbs, seller and availability',
        params: IdParams,
        response: { 200: ProductDetailSchema },
      },
      config: { publicCacheSeconds: cacheSeconds },
    },
    async (request) => catalog.productDetail(request.params.id, request.user),
  );

  app.get(
    '/images/:file',
    {
      schema: {
        tags,
        summary: 'An image or one of its renditions (content-addressed, immutable)',
        params: Type.Object({ file: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,127}$' }) }),
      },
      config: { rateLimit: false },
    },
    async (request, reply) => {
      const data = await blobs.get(request.params.file);
      if (!data)
        return reply
          .code(404)
          .type('application/problem+json')
          .send({ type: 'about:blank', title: 'Not Found', status: 404, detail: 'No such image' });
      return reply
        .header('cache-control', `public, max-age=${YEAR}, immutable`)
        .type(contentTypeOfKey(request.params.file))
        .send(data);
    },
  );
}

export function registerSellerRoutes(app: HttpServer, catalog: Catalog) {
  const seller = { auth: 'seller' as const };
  app.addContentTypeParser(
    IMAGE_TYPES,
    { parseAs: 'buffer', bodyLimit: MAX_IMAGE_BYTES },
    (_req, body, done) => done(null, body),
  );
  // Imports are streamed: the parser hands the raw request stream over, so no body limit applies.
  app.addContentTypeParser(IMPORT_TYPES, (_req, payload, done) => done(null, payload));

  app.post(
    '/seller/products',
    {
      schema: {
        tags,
        summary: "Create a product (upsert by the seller's sku)",
        body: ProductInputSchema,
        response: { 200: ProductDetailSchema, 201: ProductDetailSchema },
      },
      config: seller,
    },
    async (request, reply) => {
      const { product, created } = await catalog.createProduct(requireUser(request), request.body);
      return reply.code(created ? 201 : 200).send(product);
    },
  );

  app.get(
    '/seller/products',
    {
      schema: {
        tags,
        summary: "The seller's own products, any status",
        querystring: SellerListQuerySchema,
        response: { 200: ListingSchema },
      },
      config: seller,
    },
    async (request) => {
      const user = requireUser(request);
      return catalog.listProducts({ ...request.query, seller: user.id }, false);
    },
  );

  app.get(
    '/seller/products/:id',
    {
      schema: {
        tags,
        summary: "One of the seller's products",
        params: IdParams,
        response: { 200: ProductDetailSchema },
      },
      config: seller,
    },
    async (request) => catalog.ownDetail(requireUser(request), request.params.id),
  );

  app.patch(
    '/seller/products/:id',
    {
      schema: {
        tags,
        summary: 'Change a product (fields given replace; variants replace the list)',
        params: IdParams,
        body: ProductPatchSchema,
        response: { 200: ProductDetailSchema },
      },
      config: seller,
    },
    async (request) => catalog.updateProduct(requireUser(request), request.params.id, request.body),
  );

  app.delete(
    '/seller/products/:id',
    {
      schema: { tags, summary: 'Archive a product', params: IdParams, response: { 204: Type.Null() } },
      config: seller,
    },
    async (request, reply) => {
      await catalog.archiveProduct(requireUser(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/seller/products/:id/images',
    {
      schema: {
        tags,
        summary: 'Upload a product image (PNG, JPEG, WebP or GIF; raw body)',
        params: IdParams,
        response: { 201: ProductDetailSchema },
      },
      config: { ...seller, problems: [413, 415], describedBody: IMAGE_BODY },
    },
    async (request, reply) => {
      if (!Buffer.isBuffer(request.body))
        throw validation('Send the image bytes as the body', [
          { field: 'body', message: `content-type must be one of ${IMAGE_TYPES.join(', ')}` },
        ]);
      return reply
        .code(201)
        .send(await catalog.addImage(requireUser(request), request.params.id, request.body));
    },
  );

  app.post(
    '/seller/products/import',
    {
      schema: {
        tags,
        summary: 'Bulk import (CSV or NDJSON body, streamed); idempotent upsert by sku with a per-row report',
        description: IMPORT_DESCRIPTION,
        querystring: Type.Object({
          seller: Type.Optional(Type.String({ description: 'admins only: import for this seller' })),
        }),
        response: { 200: ImportReportSchema },
      },
      config: { ...seller, problems: [409, 415], describedBody: IMPORT_BODY },
    },
    async (request) => {
      const user = requireUser(request);
      const format = formatOf(request.headers['content-type'] ?? '');
      if (!format || typeof (request.body as Readable | undefined)?.pipe !== 'function')
        throw validation('Send CSV or NDJSON', [
          { field: 'content-type', message: `must be one of ${IMPORT_TYPES.join(', ')}` },
        ]);
      const sellerId = user.role === 'admin' && request.query.seller ? request.query.seller : user.id;
      return importProducts(catalog, { actor: user, sellerId, format, input: request.body as Readable });
    },
  );
}

export function registerInternalRoutes(app: HttpServer, catalog: Catalog) {
  const hide = { hide: true };
  app.post(
    '/variants',
    { schema: { ...hide, body: Type.Object({ skus: Type.Array(Type.String()) }) } },
    async (request) => catalog.getVariants(request.body.skus),
  );
  app.post(
    '/products',
    { schema: { ...hide, body: Type.Object({ ids: Type.Array(Type.String()) }) } },
    async (request) => catalog.getProducts(request.body.ids),
  );
  app.get(
    '/documents',
    {
      schema: {
        ...hide,
        querystring: Type.Object({
          cursor: Type.Optional(Type.String()),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
        }),
      },
    },
    async (request) => catalog.listAllProducts(request.query.cursor, request.query.limit),
  );
}

/** The admin-managed category tree and the sellers' proposals (ADR 0610). */
export function registerCategoryRoutes(app: HttpServer, admin: CategoryAdmin) {
  const adminOnly = { auth: 'admin' as const };
  const CategoryIdParams = IdParams;

  app.get(
    '/admin/categories',
    {
      schema: {
        tags,
        summary: 'Every category, retired ones included, in path order',
        response: { 200: Type.Object({ items: Type.Array(CategorySchema) }) },
      },
      config: adminOnly,
    },
    async () => ({ items: await admin.list() }),
  );

  app.post(
    '/admin/categories',
    {
      schema: {
        tags,
        summary: 'Create a category (top-level, or under parentId)',
        body: CategoryCreateSchema,
        response: { 201: CategorySchema },
      },
      config: { ...adminOnly, problems: [409] },
    },
    async (request, reply) => reply.code(201).send(await admin.create(request.body)),
  );

  app.patch(
    '/admin/categories/:id',
    {
      schema: {
        tags,
        summary: 'Rename and/or move a category; its subcategories move with it',
        params: CategoryIdParams,
        body: CategoryPatchSchema,
        response: { 200: CategorySchema },
      },
      config: { ...adminOnly, problems: [409] },
    },
    async (request) => admin.update(request.params.id, request.body),
  );

  app.post(
    '/admin/categories/:id/retire',
    {
      schema: {
        tags,
        summary: 'Retire a category and its subtree: no new products, hidden from the tree',
        params: CategoryIdParams,
        response: { 200: CategorySchema },
      },
      config: adminOnly,
    },
    async (request) => admin.retire(request.params.id),
  );

  app.get(
    '/admin/category-proposals',
    {
      schema: {
        tags,
        summary: "Sellers' category proposals, oldest first",
        querystring: ProposalListQuerySchema,
        response: { 200: Type.Object({ items: Type.Array(ProposalSchema) }) },
      },
      config: adminOnly,
    },
    async (request) => ({ items: await admin.proposals(request.query.status) }),
  );

  app.post(
    '/admin/category-proposals/:id/approve',
    {
      schema: {
        tags,
        summary: 'Approve a proposal: creates the category (or the corrected path given)',
        params: IdParams,
        body: ApproveSchema,
        response: { 200: ProposalSchema },
      },
      config: { ...adminOnly, problems: [409] },
    },
    async (request) => admin.approve(request.params.id, requireUser(request).id, request.body),
  );

  app.post(
    '/admin/category-proposals/:id/reject',
    {
      schema: {
        tags,
        summary: 'Reject a proposal, with a note the seller sees',
        params: IdParams,
        body: RejectSchema,
        response: { 200: ProposalSchema },
      },
      config: { ...adminOnly, problems: [409] },
    },
    async (request) => admin.reject(request.params.id, requireUser(request).id, request.body),
  );

  app.post(
    '/seller/category-proposals',
    {
      schema: {
        tags,
        summary: 'Propose a category the tree lacks; an admin approves or rejects it',
        description:
          'The same path proposed again while pending answers 200 with the proposal already waiting; a ' +
          'path that exists is a 409 naming its id.',
        body: ProposalInputSchema,
        response: { 200: ProposalSchema, 201: ProposalSchema },
      },
      config: { auth: 'seller', problems: [409] },
    },
    async (request, reply) => {
      const { proposal, created } = await admin.propose(requireUser(request).id, request.body);
      return reply.code(created ? 201 : 200).send(proposal);
    },
  );

  app.get(
    '/seller/category-proposals',
    {
      schema: {
        tags,
        summary: "The seller's own proposals and their status, newest first",
        response: { 200: Type.Object({ items: Type.Array(ProposalSchema) }) },
      },
      config: { auth: 'seller' },
    },
    async (request) => ({ items: await admin.proposalsOf(requireUser(request).id) }),
  );
}
