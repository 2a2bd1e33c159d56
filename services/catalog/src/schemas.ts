import { Type } from 'typebox';

const Str = Type.String();
const Attributes = Type.Record(Type.String(), Type.String());
export const MoneySchema = Type.Object({
  amount: Type.Integer({ minimum: 0, description: 'minor units (cents)' }),
  currency: Type.String({ pattern: '^[A-Z]{3}$' }),
});
const StatusSchema = Type.Union([Type.Literal('draft'), Type.Literal('active'), Type.Literal('archived')]);
const AttributeValues = Type.Record(
  Type.String(),
  Type.Union([Type.String(), Type.Number(), Type.Boolean()]),
);

export const VariantInputSchema = Type.Object({
  sku: Str,
  title: Type.Optional(Str),
  // The type only: range and currency are checked with the other fields, so one answer lists them all.
  price: Type.Object({
    amount: Type.Number({ description: 'minor units (cents), a whole number from 1' }),
    currency: Str,
  }),
  attributes: Type.Optional(AttributeValues),
  stock: Type.Optional(Type.Integer({ minimum: 0, description: 'initial stock, forwarded to inventory' })),
  onHand: Type.Optional(Type.Integer({ minimum: 0, description: 'same as stock' })),
});

export const ProductInputSchema = Type.Object({
  title: Str,
  description: Type.Optional(Str),
  brand: Type.Optional(Type.Union([Str, Type.Null()])),
  category: Type.String({ description: 'a category id or a path such as "Electronics/Phones"' }),
  attributes: Type.Optional(AttributeValues),
  status: Type.Optional(Type.Union([Type.Literal('draft'), Type.Literal('active')])),
  handle: Type.Optional(
    Type.String({ description: "the seller's own product key; defaults to the first sku" }),
  ),
  variants: Type.Array(VariantInputSchema),
});

export const ProductPatchSchema = Type.Object({
  title: Type.Optional(Str),
  description: Type.Optional(Str),
  brand: Type.Optional(Type.Union([Str, Type.Null()])),
  category: Type.Optional(Str),
  attributes: Type.Optional(AttributeValues),
  status: Type.Optional(StatusSchema),
  variants: Type.Optional(Type.Array(VariantInputSchema)),
});

const Breadcrumb = Type.Object({ id: Str, name: Str, path: Str });
const AvailabilitySchema = Type.Object({ available: Type.Integer(), inStock: Type.Boolean() });

export const VariantSchema = Type.Object({
  sku: Str,
  title: Type.Union([Str, Type.Null()]),
  price: MoneySchema,
  attributes: Attributes,
  availability: Type.Optional(AvailabilitySchema),
});

export const ProductDetailSchema = Type.Object({
  id: Str,
  handle: Str,
  title: Str,
  description: Str,
  brand: Type.Union([Str, Type.Null()]),
  category: Breadcrumb,
  breadcrumbs: Type.Array(Breadcrumb),
  attributes: Attributes,
  status: StatusSchema,
  price: MoneySchema,
  rating: Type.Object({ average: Type.Number(), count: Type.Integer() }),
  seller: Type.Object({
    id: Str,
    storeName: Type.Optional(Str),
    slug: Type.Optional(Str),
    rating: Type.Optional(Type.Number()),
  }),
  images: Type.Array(Type.Object({ key: Str, url: Str, listingUrl: Str, detailUrl: Str })),
  variants: Type.Array(VariantSchema),
  availability: Type.Optional(AvailabilitySchema),
  version: Type.Integer(),
  createdAt: Str,
  updatedAt: Str,
});

export const ListingItemSchema = Type.Object({
  id: Str,
  title: Str,
  brand: Type.Union([Str, Type.Null()]),
  price: MoneySchema,
  rating: Type.Number(),
  ratingCount: Type.Integer(),
  image: Type.Optional(Str),
  sellerId: Str,
  status: StatusSchema,
  createdAt: Str,
});

export const ListingSchema = Type.Object({
  items: Type.Array(ListingItemSchema),
  total: Type.Integer({ description: 'products matching the filters, on every page' }),
  perPage: Type.Integer(),
  nextCursor: Type.Optional(Type.String({ description: 'pass as cursor= for the next page' })),
});

export const SortSchema = Type.Union(
  [
    Type.Literal('newest'),
    Type.Literal('price_asc'),
    Type.Literal('price_desc'),
    Type.Literal('rating'),
    Type.Literal('bestselling'),
    Type.Literal('price'),
    Type.Literal('relevance'),
  ],
  {
    default: 'newest',
    description:
      'as search names them: `newest` (default), `price_asc`, `price_desc`, `rating`, `bestselling`; ' +
      '`price` is an older name of `price_asc`; `relevance` needs a query, so it is a 400 here (use /search)',
  },
);

// Unknown parameters are refused (400): a misspelt filter must not quietly answer the unfiltered list.
export const ListQuerySchema = Type.Object(
  {
    category: Type.Optional(
      Type.String({ description: 'category id or path; includes subcategories; unknown is a 400' }),
    ),
    seller: Type.Optional(Str),
    inStock: Type.Optional(
      Type.Boolean({ description: 'true: only products a customer can buy now; false: only the others' }),
    ),
    sort: Type.Optional(SortSchema),
    cursor: Type.Optional(Str),
    perPage: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 24 })),
  },
  { additionalProperties: false },
);

export const SellerListQuerySchema = Type.Object(
  {
    status: Type.Optional(StatusSchema),
    inStock: Type.Optional(Type.Boolean()),
    sort: Type.Optional(SortSchema),
    cursor: Type.Optional(Str),
    perPage: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 24 })),
  },
  { additionalProperties: false },
);

// A recursive $ref confuses the response serialiser; children are described, not re-declared.
export const CategoryNodeSchema = Type.Object({
  id: Str,
  name: Str,
  slug: Str,
  path: Str,
  productCount: Type.Integer({ description: 'active products here and in every subcategory' }),
  children: Type.Array(Type.Unknown(), { description: 'category nodes of this same shape' }),
});

export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const ImportReportSchema = Type.Object({
  rows: Type.Integer(),
  products: Type.Integer(),
  created: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  failed: Type.Integer(),
  errors: Type.Array(
    Type.Object({
      line: Type.Integer(),
      errors: Type.Array(Type.Object({ field: Str, message: Str })),
    }),
  ),
  errorsTruncated: Type.Boolean(),
  elapsedMs: Type.Integer(),
});

export const CategorySchema = Type.Object({
  id: Str,
  name: Str,
  slug: Str,
  path: Type.String({ description: 'slug path from the root, e.g. "fashion/mens-shoes"' }),
  parentId: Type.Union([Str, Type.Null()]),
  retiredAt: Type.Optional(
    Type.String({ description: 'set once retired: no new products, not in the tree' }),
  ),
});

export const CategoryCreateSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 80 }),
    parentId: Type.Optional(Type.String({ format: 'uuid', description: 'absent for a top-level category' })),
  },
  { additionalProperties: false },
);

export const CategoryPatchSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
    parentId: Type.Optional(
      Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
        description: 'the new parent (moves the subtree); null makes it top-level',
      }),
    ),
  },
  { additionalProperties: false },
);

const ProposalStatusSchema = Type.Union([
  Type.Literal('pending'),
  Type.Literal('approved'),
  Type.Literal('rejected'),
]);

export const ProposalSchema = Type.Object({
  id: Str,
  sellerId: Str,
  path: Type.String({ description: 'the names proposed, e.g. "Fashion/Rain Boots"' }),
  reason: Str,
  status: ProposalStatusSchema,
  categoryId: Type.Optional(Type.String({ description: 'the category created on approval' })),
  decisionNote: Type.Optional(Str),
  createdAt: Str,
  decidedAt: Type.Optional(Str),
});

export const ProposalInputSchema = Type.Object(
  {
    path: Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'the category wanted as a path of names, e.g. "Fashion/Rain Boots"',
    }),
    reason: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);

export const ProposalListQuerySchema = Type.Object(
  { status: Type.Optional(ProposalStatusSchema) },
  { additionalProperties: false },
);

export const ApproveSchema = Type.Object(
  {
    path: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 500,
        description: 'create this path instead (a corrected spelling)',
      }),
    ),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);

export const RejectSchema = Type.Object(
  { note: Type.Optional(Type.String({ maxLength: 1000, description: 'why, shown to the seller' })) },
  { additionalProperties: false },
);
