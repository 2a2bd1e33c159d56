/**
 * A synthetic but plausible catalog for scale tests: a category tree with per-category attributes and
 * price ranges, a few thousand brands, 1-3 variants per product, and long-tail (Zipf) popularity that
 * drives the rating count. Deterministic for a seed, streamed one NDJSON line at a time.
 */

/** mulberry32: small, fast, good enough for test data. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Department {
  name: string;
  children: string[];
  nouns: string[];
  attributes: Record<string, string[]>;
  variantAxis: [string, string[]];
  /** Median price in cents and the spread of its log-normal. */
  price: [number, number];
}

const DEPARTMENTS: Department[] = [
  {
    name: 'Electronics',
    children: [
      'Phones',
      'Laptops',
      'Audio/Headphones',
      'Audio/Speakers',
      'Cameras',
      'Accessories/Cables',
      'Accessories/Chargers',
    ],
    nouns: ['Phone', 'Laptop', 'Headphones', 'Speaker', 'Camera', 'Cable', 'Charger', 'Earbuds'],
    attributes: {
      connectivity: ['Bluetooth', 'USB-C', 'Wi-Fi', 'Lightning'],
      warranty: ['1 year', '2 years'],
    },
    variantAxis: ['color', ['Black', 'Silver', 'Blue', 'White']],
    price: [4900, 1.1],
  },
  {
    name: 'Home & Kitchen',
    children: ['Cookware', 'Furniture/Chairs', 'Furniture/Tables', 'Decor', 'Bedding', 'Storage'],
    nouns: ['Pan', 'Chair', 'Table', 'Lamp', 'Duvet', 'Basket', 'Knife Set', 'Vase'],
    attributes: {
      material: ['Oak', 'Steel', 'Cotton', 'Ceramic', 'Bamboo'],
      room: ['Kitchen', 'Bedroom', 'Living room'],
    },
    variantAxis: ['color', ['Natural', 'Grey', 'White', 'Green']],
    price: [3500, 0.9],
  },
  {
    name: 'Fashion',
    children: [
      'Men/Shirts',
      'Men/Shoes',
      'Women/Dresses',
      'Women/Shoes',
      'Women/Bags',
      'Kids/Clothing',
      'Watches',
    ],
    nouns: ['Shirt', 'Sneaker', 'Dress', 'Boot', 'Tote', 'Jacket', 'Watch', 'Hoodie'],
    attributes: {
      material: ['Cotton', 'Leather', 'Linen', 'Wool', 'Polyester'],
      fit: ['Regular', 'Slim', 'Relaxed'],
    },
    variantAxis: ['size', ['XS', 'S', 'M', 'L', 'XL']],
    price: [2900, 0.7],
  },
  {
    name: 'Sports & Outdoors',
    children: ['Running', 'Cycling', 'Camping/Tents', 'Camping/Sleeping Bags', 'Fitness'],
    nouns: ['Running Shoe', 'Helmet', 'Tent', 'Sleeping Bag', 'Dumbbell', 'Yoga Mat', 'Water Bottle'],
    attributes: { activity: ['Running', 'Cycling', 'Hiking', 'Gym'], weight: ['light', 'medium', 'heavy'] },
    variantAxis: ['size', ['S', 'M', 'L']],
    price: [3900, 0.9],
  },
  {
    name: 'Beauty',
    children: ['Skin Care', 'Fragrances', 'Makeup', 'Hair Care'],
    nouns: ['Serum', 'Perfume', 'Lipstick', 'Shampoo', 'Moisturizer', 'Mascara'],
    attributes: { skinType: ['Dry', 'Oily', 'Normal', 'All'], volume: ['30 ml', '50 ml', '100 ml'] },
    variantAxis: ['volume', ['30 ml', '50 ml', '100 ml']],
    price: [1900, 0.8],
  },
  {
    name: 'Groceries',
    children: ['Snacks', 'Beverages/Coffee', 'Beverages/Tea', 'Pantry'],
    nouns: ['Coffee Beans', 'Green Tea', 'Granola', 'Olive Oil', 'Chocolate', 'Pasta'],
    attributes: {
      diet: ['Vegan', 'Gluten-free', 'Organic', 'Regular'],
      origin: ['Italy', 'Colombia', 'Kenya', 'Spain'],
    },
    variantAxis: ['pack', ['1', '3', '6']],
    price: [699, 0.6],
  },
  {
    name: 'Toys & Games',
    children: ['Board Games', 'Puzzles', 'Building Sets', 'Dolls'],
    nouns: ['Board Game', 'Puzzle', 'Building Set', 'Doll', 'Card Game', 'Plush'],
    attributes: { age: ['3+', '6+', '8+', '12+'], players: ['1', '2-4', '2-6'] },
    variantAxis: ['edition', ['Classic', 'Deluxe']],
    price: [2499, 0.7],
  },
  {
    name: 'Books',
    children: ['Fiction', 'Science', 'Cooking', 'Children'],
    nouns: ['Novel', 'Guide', 'Cookbook', 'Picture Book', 'Handbook'],
    attributes: { format: ['Paperback', 'Hardcover'], language: ['English', 'Spanish', 'German'] },
    variantAxis: ['format', ['Paperback', 'Hardcover']],
    price: [1599, 0.5],
  },
];

const ADJECTIVES = [
  'Classic',
  'Ultra',
  'Pro',
  'Compact',
  'Eco',
  'Premium',
  'Everyday',
  'Smart',
  'Vintage',
  'Modern',
  'Lite',
  'Max',
  'Essential',
  'Deluxe',
  'Urban',
  'Trail',
];
const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ra',
  'zen',
  'vo',
  'tek',
  'nor',
  'bel',
  'qua',
  'sol',
  'fin',
  'dra',
  'lux',
  'ori',
  'pax',
  'tri',
  'ven',
];

export interface GeneratedRow {
  handle: string;
  seller: string;
  title: string;
  description: string;
  brand: string;
  category: string;
  status: 'active';
  attributes: Record<string, string>;
  variants: {
    sku: string;
    price: { amount: number; currency: string };
    attributes: Record<string, string>;
    stock: number;
  }[];
  popularity: number;
}

export const generatedSellerId = (n: number) => `01900000-0000-7000-9000-${n.toString(16).padStart(12, '0')}`;

/** Every category path the generator writes into, for a store that must have its tree first. */
export const GENERATED_CATEGORY_PATHS: string[] = DEPARTMENTS.flatMap((d) =>
  d.children.map((child) => `${d.name}/${child}`),
);

export function* generateCatalog(count: number, seed = 42, sellers = 200): Generator<GeneratedRow> {
  const rnd = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const brands = Array.from({ length: 3000 }, () => {
    const name = pick(SYLLABLES) + pick(SYLLABLES) + (rnd() < 0.4 ? pick(SYLLABLES) : '');
    return name[0]!.toUpperCase() + name.slice(1);
  });
  const normal = () => Math.sqrt(-2 * Math.log(rnd() || 1e-9)) * Math.cos(2 * Math.PI * rnd());
  for (let i = 0; i < count; i++) {
    const dept = pick(DEPARTMENTS);
    const noun = pick(dept.nouns);
    // Zipf-ish brand choice: a few brands carry most products.
    const brand = brands[Math.floor(brands.length * rnd() ** 3)]!;
    const model = `${String.fromCharCode(65 + Math.floor(rnd() * 26))}${Math.floor(rnd() * 900 + 100)}`;
    const title = `${brand} ${pick(ADJECTIVES)} ${noun} ${model}`;
    const attributes: Record<string, string> = {};
    for (const [name, values] of Object.entries(dept.attributes)) attributes[name] = pick(values);
    const base = Math.max(99, Math.round(dept.price[0] * Math.exp(dept.price[1] * normal())));
    const [axis, values] = dept.variantAxis;
    const variantCount = 1 + Math.floor(rnd() * Math.min(3, values.length));
    const handle = `GEN-${seed}-${i.toString(36).toUpperCase()}`;
    const variants = values.slice(0, variantCount).map((value, v) => ({
      sku: `${handle}-${v}`,
      price: { amount: Math.round(base * (1 + v * 0.1)), currency: 'USD' },
      attributes: { [axis]: value },
      stock: Math.floor(rnd() * 200),
    }));
    // Long-tail popularity: rank^-1.1 over the catalog, scaled.
    const popularity = Math.round(1e6 / (1 + i * rnd() * 10) ** 1.1);
    yield {
      handle,
      seller: generatedSellerId(1 + Math.floor(sellers * rnd() ** 2)),
      title,
      description: `${title}: a ${attributes[Object.keys(attributes)[0]!]?.toLowerCase()} ${noun.toLowerCase()} from ${brand}, part of our ${dept.name.toLowerCase()} range.`,
      brand,
      category: `${dept.name}/${pick(dept.children)}`,
      status: 'active',
      attributes,
      variants,
      popularity,
    };
  }
}
