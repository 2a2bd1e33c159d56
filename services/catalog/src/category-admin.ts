import { sql, type Kysely, type Selectable } from 'kysely';
import { conflict, newId, notFound, validation, type FieldError } from '@emporium/platform';
import type { CatalogDB } from './schema.ts';
import { slugify, slugPath, type Taxonomy } from './taxonomy.ts';

export interface CategoryView {
  id: string;
  name: string;
  slug: string;
  path: string;
  parentId: string | null;
  retiredAt?: string;
}

export type ProposalStatus = 'pending' | 'approved' | 'rejected';

export interface ProposalView {
  id: string;
  sellerId: string;
  path: string;
  reason: string;
  status: ProposalStatus;
  categoryId?: string;
  decisionNote?: string;
  createdAt: string;
  decidedAt?: string;
}

type CategoryRow = Selectable<CatalogDB['categories']>;
type ProposalRow = Selectable<CatalogDB['category_proposals']>;

const MAX_DEPTH = 6;
const MAX_NAME = 80;

const view = (r: CategoryRow): CategoryView => ({
  id: r.id,
  name: r.name,
  slug: r.slug,
  path: r.path,
  parentId: r.parent_id,
  ...(r.retired_at ? { retiredAt: new Date(r.retired_at).toISOString() } : {}),
});

const proposalView = (r: ProposalRow): ProposalView => ({
  id: r.id,
  sellerId: r.seller_id,
  path: r.path,
  reason: r.reason,
  status: r.status,
  ...(r.category_id ? { categoryId: r.category_id } : {}),
  ...(r.decision_note ? { decisionNote: r.decision_note } : {}),
  createdAt: new Date(r.created_at).toISOString(),
  ...(r.decided_at ? { decidedAt: new Date(r.decided_at).toISOString() } : {}),
});

/** A category name as an admin or seller types it: trimmed, with a letter or digit, no slash. */
function cleanName(raw: string, field: string, errors: FieldError[]): string {
  const name = raw.normalize('NFKC').trim().replace(/\s+/g, ' ');
  if (name === '' || !/[\p{L}\p{N}]/u.test(name))
    errors.push({ field, message: 'must contain a letter or digit' });
  else if (name.length > MAX_NAME) errors.push({ field, message: `must be at most ${MAX_NAME} characters` });
  else if (name.includes('/')) errors.push({ field, message: 'must not contain "/" (name one level)' });
  return name;
}

/** A path of names ("Fashion/Rain Boots") as a seller proposes it. */
function cleanPath(raw: string): string {
  const errors: FieldError[] = [];
  const names = raw.split('/').map((n, i) => cleanName(n, `path[${i}]`, errors));
  if (names.length > MAX_DEPTH)
    errors.push({ field: 'path', message: `may have at most ${MAX_DEPTH} levels` });
  if (errors.length > 0) throw validation('The category path is not valid', errors);
  return names.join('/');
}

/**
 * The admin's side of the category tree (ADR 0610): create, rename, move and retire categories, and the
 * sellers' proposals an admin approves (creating the category) or rejects. `changed` runs after every
 * change of the tree so cached trees and listings are dropped.
 */
export class CategoryAdmin {
  constructor(
    private readonly db: Kysely<CatalogDB>,
    private readonly taxonomy: Taxonomy,
    private readonly changed: () => Promise<void>,
  ) {}

  async list(): Promise<CategoryView[]> {
    return (await this.db.selectFrom('categories').selectAll().orderBy('path').execute()).map(view);
  }

  private async row(id: string): Promise<CategoryRow> {
    const row = await this.db.selectFrom('categories').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('Category');
    return row;
  }

  private async activeParent(parentId: string): Promise<CategoryRow> {
    const parent = await this.db
      .selectFrom('categories')
      .selectAll()
      .where('id', '=', parentId)
      .executeTakeFirst();
    if (!parent || parent.retired_at)
      throw validation('Unknown parent category', [
        { field: 'parentId', message: 'no active category has this id' },
      ]);
    if (parent.depth + 1 >= MAX_DEPTH)
      throw validation('The tree is too deep here', [
        { field: 'parentId', message: `categories nest at most ${MAX_DEPTH} levels` },
      ]);
    return parent;
  }

  private async refuseTaken(path: string): Promise<void> {
    const taken = await this.db
      .selectFrom('categories')
      .select(['id', 'retired_at'])
      .where('path', '=', path)
      .executeTakeFirst();
    if (taken)
      throw conflict(
        taken.retired_at
          ? `A retired category already has the path ${path}`
          : `A category already has the path ${path}`,
        { categoryId: taken.id },
      );
  }

  async create(input: { name: string; parentId?: string }): Promise<CategoryView> {
    const errors: FieldError[] = [];
    const name = cleanName(input.name, 'name', errors);
    if (errors.length > 0) throw validation('The category is not valid', errors);
    const parent = input.parentId ? await this.activeParent(input.parentId) : undefined;
    const path = parent ? `${parent.path}/${slugify(name)}` : slugify(name);
    await this.refuseTaken(path);
    const row = await this.db
      .insertInto('categories')
      .values({
        id: newId(),
        parent_id: parent?.id ?? null,
        slug: slugify(name),
        name,
        path,
        depth: parent ? parent.depth + 1 : 0,
      })
      .onConflict((oc) => oc.column('path').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) throw conflict(`A category already has the path ${path}`);
    await this.changed();
    return view(row);
  }

  /** Renames and/or moves a category; its subtree moves with it (paths rewritten in one transaction). */
  async update(id: string, input: { name?: string; parentId?: string | null }): Promise<CategoryView> {
    const row = await this.row(id);
    const errors: FieldError[] = [];
    const name = input.name === undefined ? row.name : cleanName(input.name, 'name', errors);
    if (errors.length > 0) throw validation('The category is not valid', errors);
    const parentId = input.parentId === undefined ? row.parent_id : input.parentId;
    const parent = parentId ? await this.activeParent(parentId) : undefined;
    if (parent && (parent.id === id || parent.path.startsWith(`${row.path}/`)))
      throw validation('A category cannot move below itself', [
        { field: 'parentId', message: 'is this category or one of its subcategories' },
      ]);
    const slug = slugify(name);
    const path = parent ? `${parent.path}/${slug}` : slug;
    const depth = parent ? parent.depth + 1 : 0;
    if (path !== row.path) await this.refuseTaken(path);
    const updated = await this.db.transaction().execute(async (trx) => {
      if (path !== row.path)
        await trx
          .updateTable('categories')
          .set({
            path: sql<string>`${path} || substr(path, ${row.path.length + 1})`,
            depth: sql<number>`depth + ${depth - row.depth}`,
          })
          .where((eb) => eb.or([eb('path', '=', row.path), eb('path', 'like', `${row.path}/%`)]))
          .execute();
      return trx
        .updateTable('categories')
        .set({ name, slug, parent_id: parent?.id ?? null })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    this.taxonomy.clear();
    await this.changed();
    return view(updated);
  }

  /**
   * Retires a category and its subtree: no new product may pick them and they leave the public tree;
   * products already in them keep them until their seller moves them.
   */
  async retire(id: string): Promise<CategoryView> {
    const row = await this.row(id);
    await this.db
      .updateTable('categories')
      .set({ retired_at: sql<string>`now()` })
      .where((eb) => eb.or([eb('path', '=', row.path), eb('path', 'like', `${row.path}/%`)]))
      .where('retired_at', 'is', null)
      .execute();
    this.taxonomy.clear();
    await this.changed();
    return view(await this.row(id));
  }

  // ---- proposals ------------------------------------------------------------------------------------

  /** A seller's proposal; the same pending path again answers the proposal already waiting. */
  async propose(
    sellerId: string,
    input: { path: string; reason?: string },
  ): Promise<{ proposal: ProposalView; created: boolean }> {
    const path = cleanPath(input.path);
    const slug = slugPath(path);
    const existing = await this.db
      .selectFrom('categories')
      .select(['id', 'retired_at'])
      .where('path', '=', slug)
      .executeTakeFirst();
    if (existing && !existing.retired_at)
      throw conflict(`The category ${path} already exists; pick it by its id or path`, {
        categoryId: existing.id,
      });
    const inserted = await this.db
      .insertInto('category_proposals')
      .values({
        id: newId(),
        seller_id: sellerId,
        path,
        slug_path: slug,
        reason: (input.reason ?? '').trim().slice(0, 1000),
        status: 'pending',
        category_id: null,
        decision_note: null,
        decided_by: null,
        decided_at: null,
      })
      .onConflict((oc) => oc.columns(['seller_id', 'slug_path']).where('status', '=', 'pending').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return { proposal: proposalView(inserted), created: true };
    const waiting = await this.db
      .selectFrom('category_proposals')
      .selectAll()
      .where('seller_id', '=', sellerId)
      .where('slug_path', '=', slug)
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow();
    return { proposal: proposalView(waiting), created: false };
  }

  async proposalsOf(sellerId: string): Promise<ProposalView[]> {
    const rows = await this.db
      .selectFrom('category_proposals')
      .selectAll()
      .where('seller_id', '=', sellerId)
      .orderBy('created_at', 'desc')
      .limit(200)
      .execute();
    return rows.map(proposalView);
  }

  async proposals(status?: ProposalStatus): Promise<ProposalView[]> {
    const rows = await this.db
      .selectFrom('category_proposals')
      .selectAll()
      .$if(status !== undefined, (q) => q.where('status', '=', status!))
      .orderBy('created_at')
      .limit(500)
      .execute();
    return rows.map(proposalView);
  }

  private async pending(id: string): Promise<ProposalRow> {
    const row = await this.db
      .selectFrom('category_proposals')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound('Category proposal');
    if (row.status !== 'pending') throw conflict(`This proposal was already ${row.status}`);
    return row;
  }

  /** Creates the proposed category (or the admin's corrected `path`) and marks the proposal approved. */
  async approve(id: string, adminId: string, input: { path?: string; note?: string }): Promise<ProposalView> {
    const proposal = await this.pending(id);
    const path = input.path === undefined ? proposal.path : cleanPath(input.path);
    const category = await this.taxonomy.ensurePath(path);
    const row = await this.decide(id, adminId, 'approved', input.note, category.id);
    await this.changed();
    return row;
  }

  async reject(id: string, adminId: string, input: { note?: string }): Promise<ProposalView> {
    await this.pending(id);
    return this.decide(id, adminId, 'rejected', input.note, null);
  }

  /** Of two admins deciding at once, one wins; the other is told what became of it. */
  private async decide(
    id: string,
    adminId: string,
    status: 'approved' | 'rejected',
    note: string | undefined,
    categoryId: string | null,
  ): Promise<ProposalView> {
    const row = await this.db
      .updateTable('category_proposals')
      .set({
        status,
        category_id: categoryId,
        decision_note: note?.trim().slice(0, 1000) || null,
        decided_by: adminId,
        decided_at: sql<string>`now()`,
      })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .returningAll()
      .executeTakeFirst();
    if (!row) throw conflict('This proposal was decided meanwhile');
    return proposalView(row);
  }
}
