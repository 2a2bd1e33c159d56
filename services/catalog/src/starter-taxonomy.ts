import type { Kysely } from 'kysely';
import type { CatalogDB } from './schema.ts';
import type { Taxonomy } from './taxonomy.ts';

/**
 * The tree a new store starts with, installed once per database and then curated by its admin (ADR
 * 0610): sellers pick from it from the first day instead of each typing their own spelling of "Home".
 * Its top levels are the demo catalog's departments, so the demo adds few categories of its own.
 */
export const STARTER_TAXONOMY: Record<string, string[]> = {
  Beauty: ['Fragrances', 'Hair', 'Makeup', 'Skin Care'],
  Books: ['Fiction', 'Non-Fiction', 'Children'],
  Electronics: ['Audio', 'Cameras', 'Laptops', 'Mobile Accessories', 'Smartphones', 'Tablets'],
  Fashion: [
    'Mens Shirts',
    'Mens Shoes',
    'Mens Watches',
    'Sunglasses',
    'Tops',
    'Womens Bags',
    'Womens Dresses',
    'Womens Jewellery',
    'Womens Shoes',
    'Womens Watches',
  ],
  Groceries: [],
  Home: ['Bath', 'Furniture', 'Home Decoration', 'Kitchen', 'Kitchen Accessories', 'Lighting'],
  'Sports & Outdoors': ['Running Shoes', 'Sports Accessories'],
  Tools: ['Hand Tools', 'Power Tools'],
  'Toys & Games': [],
  Vehicles: ['Motorcycle', 'Vehicle'],
};

const INSTALL = 'starter-taxonomy-v1';

/**
 * Installs the starter tree unless this database already had it, so a starter category an admin retired
 * stays retired. The mark is written after the tree (each level is an idempotent insert): a process that
 * stops half-way installs the rest at its next start.
 */
export async function installStarterTaxonomy(db: Kysely<CatalogDB>, taxonomy: Taxonomy): Promise<boolean> {
  const done = await db
    .selectFrom('taxonomy_installs')
    .select('name')
    .where('name', '=', INSTALL)
    .executeTakeFirst();
  if (done) return false;
  await taxonomy.ensurePaths(
    Object.entries(STARTER_TAXONOMY).flatMap(([department, children]) => [
      department,
      ...children.map((child) => `${department}/${child}`),
    ]),
  );
  await db
    .insertInto('taxonomy_installs')
    .values({ name: INSTALL })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  return true;
}
