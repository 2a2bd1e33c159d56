// PostgreSQL full-text search as the baseline of bench/search.ts, in a scratch schema dropped after.
import pg from 'pg';
import type { SearchDocument } from '../../services/search/src/types.ts';
import type { MixQuery } from './search-mix.ts';

const SCHEMA = `bench_search_${process.pid}`;

export async function withScratchSchema<T>(fn: (db: pg.Client, schema: string) => Promise<T>): Promise<T> {
  const url = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    await db.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
    await db.query(`set search_path = ${SCHEMA}; set work_mem = '64MB'`);
    return await fn(db, SCHEMA);
  } finally {
    await db.query(`drop schema if exists ${SCHEMA} cascade`).catch(() => undefined);
    await db.end();
  }
}

/** The fair setting: an OR of the query's lexemes (an AND answers few queries). */
const OR_QUERY = `replace(plainto_tsquery('english', $1)::text, ' & ', ' | ')::tsquery`;

export async function loadTitles(db: pg.Client, products: [string, string][]): Promise<number> {
  const t = performance.now();
  await db.query(`create table titles (id text primary key, title text not null,
    tsv tsvector generated always as (to_tsvector('english', title)) stored)`);
  for (let i = 0; i < products.length; i += 5000) {
    const batch = products.slice(i, i + 5000);
    await db.query(`insert into titles (id, title) select * from unnest($1::text[], $2::text[])`, [
      batch.map((p) => p[0]),
      batch.map((p) => p[1]),
    ]);
  }
  await db.query(`create index on titles using gin (tsv); analyze titles`);
  return performance.now() - t;
}

export async function searchTitles(db: pg.Client, q: string, rank: 'ts_rank' | 'ts_rank_cd', k: number) {
  const { rows } = await db.query<{ id: string }>(
    `select id from titles, (select ${OR_QUERY} as q) x where tsv @@ q order by ${rank}(tsv, q, 1) desc, id limit ${k}`,
    [q],
  );
  return rows.map((r) => r.id);
}

export async function loadCatalog(db: pg.Client, docs: Iterable<SearchDocument>, log: (s: string) => void) {
  const t = performance.now();
  await db.query(`create table products (id text primary key, title text, description text, brand text,
    category text, price int, rating real, in_stock bool, tsv tsvector)`);
  const cols: unknown[][] = [[], [], [], [], [], [], [], []];
  let n = 0;
  const flush = async () => {
    await db.query(
      `insert into products select id, title, description, brand, category, price, rating, in_stock,
         setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', brand), 'B') ||
         setweight(to_tsvector('english', replace(category, '/', ' ')), 'C') ||
         setweight(to_tsvector('english', description), 'D')
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::real[], $8::bool[])
         as t(id, title, description, brand, category, price, rating, in_stock)`,
      cols,
    );
    cols.forEach((c) => (c.length = 0));
  };
  for (const d of docs) {
    const values = [
      d.id,
      d.title,
      d.description,
      d.brand,
      (d.categoryPath ?? []).join('/'),
      d.price?.amount,
      d.rating,
      d.inStock,
    ];
    values.forEach((v, i) => (cols[i] as unknown[]).push(v));
    if (++n % 5000 === 0) {
      await flush();
      if (n % 100_000 === 0) log(`  PostgreSQL: loaded ${n.toLocaleString('en')}`);
    }
  }
  if ((cols[0] as unknown[]).length > 0) await flush();
  await db.query(`create index on products using gin (tsv)`);
  await db.query(
    `create index on products (lower(brand)); create index on products (category); analyze products`,
  );
  return performance.now() - t;
}

/** The same work as the engine: matches, filters, a sorted page of 24 and facets over the match set. */
export async function searchCatalog(db: pg.Client, m: MixQuery): Promise<number> {
  const where = ['tsv @@ q'];
  const args: unknown[] = [m.q];
  const add = (sql: string, v: unknown) => {
    args.push(v);
    where.push(sql.replace('?', `$${args.length}`));
  };
  if (m.brand) add('lower(brand) = lower(?)', m.brand);
  if (m.category) {
    args.push(m.category);
    where.push(`(category = $${args.length} or category like $${args.length} || '/%')`);
  }
  if (m.minPrice) add('price >= ?', Number(m.minPrice));
  if (m.maxPrice) add('price <= ?', Number(m.maxPrice));
  if (m.inStock !== undefined) add('in_stock = ?', m.inStock);
  if (m.minRating !== undefined) add('rating >= ?', m.minRating);
  const order = {
    relevance: 'r desc',
    price_asc: 'price asc',
    price_desc: 'price desc',
    rating: 'rating desc',
  }[m.sort ?? 'relevance'];
  const sql = `with m as materialized (
      select id, brand, category, price, rating, ts_rank(tsv, q, 1) r
      from products, (select ${OR_QUERY} as q) x where ${where.join(' and ')})
    select (select count(*) from m) total,
      (select json_agg(id) from (select id from m order by ${order}, id limit 24) p) ids,
      (select json_agg(b) from (select brand, count(*) from m group by 1 order by 2 desc limit 100) b) brands,
      (select json_agg(c) from (select category, count(*) from m group by 1) c) categories,
      (select json_agg(p) from (select width_bucket(price, array[0,1000,2500,5000,10000,25000,50000,100000,250000]) b, count(*) from m group by 1) p) prices,
      (select json_agg(x) from (select floor(rating) s, count(*) from m group by 1) x) ratings`;
  const { rows } = await db.query<{ total: string }>(sql, args);
  return Number(rows[0]?.total ?? 0);
}
