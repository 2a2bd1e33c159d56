import { sql, type Kysely } from 'kysely';
import { conflict, isAppError, isId, newId, validation } from '@emporium/platform';
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

/** How long a resolved category is trusted before it is read again (an admin elsewhere may retire it). */
const RESOLVED_TTL_MS = 30_000;
const SUGGESTIONS = 3;

/** The slug path of a path of names: "Fashion/Men's Shoes" is "fashion/men-s-shoes". */
export const slugPath = (names: string) =>
  names
    .split('/')
    .map((s) => slugify(s.trim()))
    .join('/');

/** Levenshtein distance, two rows at a time (category paths are short). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * Resolves category paths and ids to the admin-managed tree (ADR 0610) and brand names to ids, creating
 * missing brands. A path the tree lacks is a validation error naming the closest existing categories;
 * only `ensurePath` (an admin, the demo seed, the operator's import) adds categories. Both sets are
 * small next to products, so resolved entries stay in memory for a while.
 */
export class Taxonomy {
  private readonly categories = new Map<string, ResolvedCategory>();
  /** By the text as given: imports repeat the same few paths, and slugging each one costs. */
  private readonly byText = new Map<string, ResolvedCategory>();
  private readonly brands = new Map<string, string>();
  private resolvedSince = Date.now();

  constructor(private readonly db: Kysely<CatalogDB>) {}

  /** `category` is a category id or a path of names such as "Electronics/Phones"; it must exist. */
  async category(category: string): Promise<ResolvedCategory> {
    this.expire();
    const seen = this.byText.get(category);
    if (seen) return seen;
    const resolved = isId(category) ? await this.categoryById(category) : await this.categoryByPath(category);
    if (this.byText.size < 100_000) this.byText.set(category, resolved);
    return resolved;
  }

  private expire() {
    if (Date.now() - this.resolvedSince < RESOLVED_TTL_MS) return;
    this.categories.clear();
    this.byText.clear();
    this.resolvedSince = Date.now();
  }

  private async categoryByPath(category: string): Promise<ResolvedCategory> {
    const path = slugPath(category);
    const known = this.categories.get(path);
    if (known) return known;
    const row = await this.db
      .selectFrom('categories')
      .select(['id', 'path'])
      .where('path', '=', path)
      .where('retired_at', 'is', null)
      .executeTakeFirst();
    if (!row) throw await this.unknown(category);
    return this.remember(row.id, row.path);
  }

  private async remember(id: string, path: string): Promise<ResolvedCategory> {
    const chain = await this.breadcrumbs(path);
    const resolved = { id, path, names: chain.map((c) => c.name) };
    this.categories.set(path, resolved);
    return resolved;
  }

  /** The validation error for a category the tree lacks, naming the closest ones by edit distance. */
  async unknown(category: string, field = 'category') {
    const closest = await this.closest(category);
    const hint = closest.length > 0 ? `; closest: ${closest.join(', ')}` : '';
    return validation(`Unknown category "${category}"`, [
      { field, message: `is not a category of this store${hint} (a seller may propose a new one)` },
    ]);
  }

  /** The active categories whose name paths are nearest to `text`, as "Name/Name" paths. */
  async closest(text: string, count = SUGGESTIONS): Promise<string[]> {
    const rows = await this.db
      .selectFrom('categories')
      .select(['id', 'parent_id', 'name'])
      .where('retired_at', 'is', null)
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    const nameOf = (id: string | null): string => {
      const row = id ? byId.get(id) : undefined;
      return row ? (row.parent_id ? `${nameOf(row.parent_id)}/${row.name}` : row.name) : '';
    };
    const wanted = text.trim().toLowerCase();
    return rows
      .map((r) => {
        const path = nameOf(r.id);
        return { path, distance: editDistance(wanted, path.toLowerCase()) };
      })
      .sort((a, b) => a.distance - b.distance || a.path.localeCompare(b.path))
      .slice(0, count)
      .map((c) => c.path);
  }

  /**
   * Creates the missing levels of a path of names (`INSERT ... ON CONFLICT (path) DO NOTHING`, safe under
   * concurrency): what an admin does, never a seller's write. A retired level is refused.
   */
  async ensurePath(category: string): Promise<ResolvedCategory> {
    const names = category.split('/').map((s) => s.trim());
    if (names.some((n) => slugify(n) === 'x' && !/x/i.test(n)))
      throw validation('A category name needs a letter or digit', [
        { field: 'name', message: 'must contain a letter or digit' },
      ]);
    let parentId: string | null = null;
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
        .select(['id', 'retired_at'])
        .where('path', '=', prefix)
        .executeTakeFirstOrThrow();
      if (row.retired_at !== null)
        throw conflict(`The category "${names.slice(0, depth + 1).join('/')}" is retired`);
      parentId = row.id;
    }
    return this.remember(parentId as unknown as string, slugPath(category));
  }

  /**
   * `ensurePath` for many paths at once, one level at a time (two statements per level): what the
   * starter tree and the demo seed install at start. A retired level is left as it is.
   */
  async ensurePaths(paths: string[]): Promise<void> {
    const levels: Map<string, { name: string; parent: string | null }>[] = [];
    for (const text of paths) {
      const names = text.split('/').map((n) => n.trim());
      names.forEach((name, depth) => {
        const path = names
          .slice(0, depth + 1)
          .map(slugify)
          .join('/');
        const parent = depth === 0 ? null : names.slice(0, depth).map(slugify).join('/');
        (levels[depth] ??= new Map()).set(path, { name, parent });
      });
    }
    const ids = new Map<string, string>();
    for (const [depth, level] of levels.entries()) {
      const rows = [...level].map(([path, { name, parent }]) => ({
        id: newId(),
        parent_id: parent === null ? null : (ids.get(parent) ?? null),
        slug: path.split('/').at(-1)!,
        name,
        path,
        depth,
      }));
      await this.db
        .insertInto('categories')
        .values(rows)
        .onConflict((oc) => oc.column('path').doNothing())
        .execute();
      const stored = await this.db
        .selectFrom('categories')
        .select(['id', 'path'])
        .where('path', 'in', [...level.keys()])
        .execute();
      for (const r of stored) ids.set(r.path, r.id);
    }
  }

  private async categoryById(id: string): Promise<ResolvedCategory> {
    const row = await this.db
      .selectFrom('categories')
      .select('path')
      .where('id', '=', id)
      .where('retired_at', 'is', null)
      .executeTakeFirst();
    if (!row)
      throw validation('Unknown category', [
        { field: 'category', message: 'no active category has this id' },
      ]);
    return this.categories.get(row.path) ?? this.remember(id, row.path);
  }

  /** A product's stored category, retired or not: a product keeps its category until it is moved. */
  async storedCategory(id: string): Promise<ResolvedCategory> {
    const row = await this.db.selectFrom('categories').select('path').where('id', '=', id).executeTakeFirst();
    if (!row)
      throw validation('Unknown category', [{ field: 'category', message: 'no category has this id' }]);
    return this.categories.get(row.path) ?? this.remember(id, row.path);
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

  /**
   * Every category whose path is `path` or below it (for listings of a parent category); an unknown or
   * retired category is a validation error naming the closest ones.
   */
  async descendantIds(category: string): Promise<string[]> {
    const { path } = await this.category(category).catch(async (error: unknown) => {
      if (isAppError(error) && error.kind === 'Validation') throw await this.unknown(category);
      throw error;
    });
    const rows = await this.db
      .selectFrom('categories')
      .select('id')
      .where((eb) => eb.or([eb('path', '=', path), eb('path', 'like', sql<string>`${path} || '/%'`)]))
      .execute();
    return rows.map((r) => r.id);
  }

  /** Forgets everything resolved (an admin changed the tree; tests that drop the schema). */
  clear(): void {
    this.categories.clear();
    this.byText.clear();
    this.brands.clear();
    this.resolvedSince = Date.now();
  }
}

export { titleCase };
