/** TypeBox schemas of the public search routes: validation, serialisation and OpenAPI come from here. */
import { Type, type Static } from 'typebox';
import { SORT_ORDERS, type SortOrder } from '../types.ts';

/** Longer than any query a person types; the parser keeps the first 512 characters of what passes. */
export const MAX_Q_BYTES = 2_048;

const Price = (bound: string) =>
  Type.Integer({
    minimum: 0,
    description: `${bound} price in minor units, inclusive (999 is 9.99), the unit of item prices and of the price facet buckets`,
  });

export const SearchQuerystring = Type.Object(
  {
    q: Type.Optional(
      Type.String({
        maxLength: MAX_Q_BYTES,
        description:
          'Keywords, "quoted phrases" and inline filters (brand:acme, category:Electronics/Phones, price:1000..4999 in minor units, rating>=4, inStock:true, attr.color:red). Price phrases in words are read in major units and become price filters: "phone under 300", "under $50", "$100-$300", "over 200", "between 20 and 50 dollars"; a number needs a comparison word or a currency mark to be a price, and one followed by a unit ("300 watt") never is. Control characters are treated as spaces.',
      }),
    ),
    category: Type.Optional(
      Type.String({ maxLength: 300, description: 'A category path; matches its subtree' }),
    ),
    brand: Type.Optional(
      Type.String({ maxLength: 500, description: 'One brand or several, comma separated' }),
    ),
    minPrice: Type.Optional(Price('Lowest')),
    maxPrice: Type.Optional(Price('Highest')),
    minRating: Type.Optional(Type.Number({ minimum: 0, maximum: 5 })),
    inStock: Type.Optional(Type.Boolean()),
    sort: Type.Optional(
      Type.Unsafe<SortOrder>({ type: 'string', enum: [...SORT_ORDERS], description: 'Default relevance' }),
    ),
    page: Type.Optional(
      Type.Integer({ minimum: 1, description: 'From 1; pages past the 10,000th result are clamped' }),
    ),
    perPage: Type.Optional(Type.Integer({ minimum: 1, description: 'Default 24; clamped to 100' })),
  },
  // Unknown parameters (tracking tags, cache busters) are ignored rather than refused.
);
export type SearchQuerystring = Static<typeof SearchQuerystring>;

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Money = Type.Object({ amount: Type.Integer(), currency: Type.String() });
const FacetValue = Type.Object({ value: Type.String(), count: Type.Integer() });

export const SearchItem = Type.Object({
  id: Type.String(),
  title: Type.String(),
  brand: Nullable(Type.String()),
  price: Nullable(Money),
  image: Nullable(Type.String()),
  rating: Nullable(Type.Number()),
  inStock: Nullable(Type.Boolean()),
});

export const SearchResponseSchema = Type.Object({
  total: Type.Integer(),
  page: Type.Integer(),
  perPage: Type.Integer(),
  items: Type.Array(SearchItem),
  facets: Type.Object({
    category: Type.Array(
      Type.Object({
        value: Type.String({ description: 'Full path, usable as the category filter' }),
        name: Type.String(),
        depth: Type.Integer({ description: '0 for a root; the list is the tree in pre-order' }),
        count: Type.Integer(),
      }),
    ),
    brand: Type.Array(FacetValue),
    price: Type.Array(
      Type.Object({
        from: Type.Integer({ description: 'Minor units, inclusive' }),
        to: Type.Optional(Type.Integer({ description: 'Minor units, inclusive; absent for the top bucket' })),
        count: Type.Integer(),
      }),
    ),
    rating: Type.Array(FacetValue, { description: "value '4' counts products rated 4 or more" }),
    inStock: Type.Array(FacetValue),
    attributes: Type.Record(Type.String(), Type.Array(FacetValue)),
  }),
  query: Type.String(),
  tookMs: Type.Number(),
});
export type SearchResponse = Static<typeof SearchResponseSchema>;

export const SuggestQuerystring = Type.Object(
  {
    q: Type.String({ maxLength: 200 }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
  },
  { additionalProperties: false },
);

export const SuggestResponseSchema = Type.Object({
  query: Type.String(),
  suggestions: Type.Array(Type.Object({ text: Type.String(), count: Type.Integer() })),
});
export type SuggestResponse = Static<typeof SuggestResponseSchema>;
