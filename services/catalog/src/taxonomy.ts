import { sql, type Kysely } from 'kysely';
import { isId, newId, validation } from '@emporium/platform';
import type { CatalogDB } from './schema.ts';

export interface ResolvedCategory {
  id: string;
  path: string;
  /** Names from the root, for breadcrumbs and search documents. */
  names: string[];
}

export const slugify = (name: string) =>
  name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'x';

const titleCase = (slug: string) =>
  slug.replace(/(^|[-\s])([a-z])/g, (_m, sep: string, ch: string) => sep + ch.toUpperCase());

/**
 * Resolves category paths and brand names to ids, creating what is missing (a seller may list into a new
 * subcategory; ADR 0601). Both sets are small next to products, so resolved entries stay in memory.
 */
export class Taxonomy {
  private readonly categories = new Map<string, ResolvedCategory>();
  /** By the text as given: imports repeat the same few paths, and slugging each one costs. */
  private readonly byText = new Map<string, ResolvedCategory>();
  private readonly brands = new Map<string, string>();

  constructor(private readonly db: Kysely<CatalogDB>) {}

  /** `category` is a category id or a path of names such as "Electronics/Phones". */
  async category(category: string): Promise<ResolvedCategory> {
    const seen = this.byText.get(category);
    if (seen) return seen;
    const resolved = isId(category) ? await this.categoryById(category) : await this.categoryByPath(category);
    if (this.byText.size < 100_000) this.byText.set(category, resolved);
    return resolved;
  }

  private async categoryByPath(category: string): Promise<ResolvedCategory> {
    const names = category.split('/').map((s) => s.trim());
    const path = names.map(slugify).join('/');
    const known = this.categories.get(path);
    if (known) return known;
    let parentId: string | null = null;
    const resolvedNames: string[] = [];
    for (let depth = 0; depth < names.length; depth++) {
      const prefix = names
        .slice(0, depth + 1)
        .map(slugify)
        .join('/');
      const name = names[depth] ?? '';
      await this.db
        .insertInto('categories')
        .values({ id: newId(), parent_id: parentId, slug: slugify(name), name, path: prefix, depth })
        .onConflict((oc) => oc.column('path').doNothing())
        .execute();
      const row = await this.db
        .selectFrom('categories')
        .select(['id', 'name'])
        .where('path', '=', prefix)
        .executeTakeFirstOrThrow();
      parentId = row.id;
      resolvedNames.push(row.name);
    }
    const resolved = { id: parentId as unknown as string, path, names: resolvedNames };
    this.categories.set(path, resolved);
    return resolved;
  }

  private async categoryById(id: string): Promise<ResolvedCategory> {
    const row = await this.db.selectFrom('categories').select('path').where('id', '=', id).executeTakeFirst();
    if (!row)
      throw validation('Unknown category', [{ field: 'category', message: 'no category has this id' }]);
    const cached = this.categories.get(row.path);
    if (cached) return cached;
    const chain = await this.breadcrumbs(row.path);
    const resolved = { id, path: row.path, names: chain.map((c) => c.name) };
    this.categories.set(row.path, resolved);
    return resolved;
  }

  async breadcrumbs(path: string): Promise<{ id: string; name: string; path: string }[]> {
    const segments = path.split('/');
    const prefixes = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
    const rows = await this.db
      .selectFrom('categories')
      .select(['id', 'name', 'path', 'depth'])
      .where('path', 'in', prefixes)
      .orderBy('depth')
      .execute();
    return rows.map(({ id, name, path: p }) => ({ id, name, path: p }));
  }

  /** The brand id for a display name; brands match case-insensitively. */
  async brand(name: string | null | undefined): Promise<string | null> {
    if (!name) return null;
    const key = name.trim().toLowerCase();
    const known = this.brands.get(key);
    if (known) return known;
    await this.db
      .insertInto('brands')
      .values({ id: newId(), name: name.trim(), key })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const row = await this.db
      .selectFrom('brands')
      .select('id')
      .where('key', '=', key)
      .executeTakeFirstOrThrow();
    this.brands.set(key, row.id);
    return row.id;
  }

  /** Resolves many brand names with two statements (import batches bring hundreds). */
  async preloadBrands(names: (string | null | undefined)[]): Promise<void> {
    const missing = new Map<string, string>();
    for (const name of names) {
      const key = name?.trim().toLowerCase();
      if (name && key && !this.brands.has(key)) missing.set(key, name.trim());
    }
    if (missing.size === 0) return;
    await this.db
      .insertInto('brands')
      .values([...missing].map(([key, name]) => ({ id: newId(), name, key })))
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const rows = await this.db
      .selectFrom('brands')
      .select(['id', 'key'])
      .where('key', 'in', [...missing.keys()])
      .execute();
    for (const r of rows) this.brands.set(r.key, r.id);
  }

  /** Every category whose path is `path` or below it (for listings of a parent category). */
  async descendantIds(category: string): Promise<string[]> {
    const path = isId(category)
      ? (await this.db.selectFrom('categories').select('path').where('id', '=', category).executeTakeFirst())
          ?.path
      : category
          .split('/')
          .map((s) => slugify(s.trim()))
          .join('/');
    if (!path) return [];
    const rows = await this.db
      .selectFrom('categories')
      .select('id')
      .where((eb) => eb.or([eb('path', '=', path), eb('path', 'like', sql<string>`${path} || '/%'`)]))
      .execute();
    return rows.map((r) => r.id);
  }

  /** Forgets everything resolved (tests that drop the schema). */
  clear(): void {
    this.categories.clear();
    this.byText.clear();
    this.brands.clear();
  }
}

export { titleCase };
