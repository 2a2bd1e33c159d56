/**
 * Parameterised SQL only: the production source of every package, service, app and sandbox is scanned
 * for SQL built from strings. Kysely's builder and its `sql` tagged template send values as parameters
 * and are never flagged; what is flagged:
 * - `sql.raw(…)` or `sql.lit(…)` with anything but a plain string literal (text pasted into the query);
 * - a template literal with `${…}` or a `+` concatenation passed to `.query(`, `.exec(` or `.execute(`;
 * - an untagged template literal that reads as SQL (`select … from`, `insert into`, `update … set`,
 *   `delete from`, DDL) and interpolates `${…}`, wherever it is.
 * Tests, test support, scripts and benchmarks are out of scope (they build fixtures, never from input).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SCANNED = ['packages', 'services', 'apps', 'sandboxes'];

/**
 * Places that must paste text into SQL, each with why it is safe. Keyed by file and the flagged text.
 */
const ALLOWED: Record<string, string> = {
  // Migration files of the repository, run at start; no request reaches them.
  'packages/platform/src/sql/database.ts: sql.raw(migration.sql)': 'migrations are repository files',
};

const RULES: { name: string; pattern: RegExp }[] = [
  {
    name: 'sql.raw/sql.lit with a value that is not a plain string literal',
    pattern: /\bsql\.(?:raw|lit)\(\s*(?!'[^'\\\n]*'\s*\)|"[^"\\\n]*"\s*\))[^)\n]*\)?/g,
  },
  {
    name: 'an interpolated or concatenated string passed to a query function',
    pattern: /\.(?:query|exec|execute|executeQuery)\(\s*(?:`[^`]*\$\{[^`]*`|['"`][^'"`\n]*['"`]\s*\+)/g,
  },
  {
    name: 'an untagged template literal of SQL with interpolation',
    pattern:
      /(?<!\bsql(?:<[^`()=]*>)?)`\s*(?:select\s[^`]*\bfrom\b|insert\s+into\b|update\s+\S+\s+set\b|delete\s+from\b|(?:create|drop|alter|truncate)\s+(?:table|schema|index|database|function)\b)[^`]*\$\{[^`]*`/gi,
  },
];

function findStringSql(source: string): { rule: string; text: string }[] {
  return RULES.flatMap(({ name, pattern }) =>
    [...source.matchAll(pattern)].map((m) => ({ rule: name, text: m[0].replace(/\s+/g, ' ').slice(0, 120) })),
  );
}

function productionFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return ['node_modules', 'testing', 'scripts', 'dist'].includes(entry.name) ? [] : productionFiles(path);
    const test = /\.test\.ts$|test-support|test-harness/.test(entry.name);
    return entry.name.endsWith('.ts') && !test ? [path] : [];
  });
}

describe('parameterised SQL only', () => {
  it('flags SQL built from strings and leaves tagged templates and the builder alone', () => {
    const flagged = [
      'await sql.raw(`select * from t where id = ${id}`).execute(db)',
      "await sql.raw('select * from t where name = ' + name).execute(db)",
      'sql.raw(column)',
      'sql.lit(userInput)',
      'await pool.query(`select * from users where email = ${email}`)',
      "await client.query('select * from users where email = ' + email)",
      'const q = `delete from carts where id = ${id}`',
      'const q = `SELECT id FROM orders WHERE customer = ${who}`',
      'const ddl = `drop schema ${name} cascade`',
    ];
    const safe = [
      'await sql`select * from t where id = ${id}`.execute(db)',
      'await sql<{ id: string }>`select id from ${sql.id(schema, "t")} where x = ${x}`.execute(db)',
      'await sql<{\n  id: string;\n  n: number;\n}>`\n select id from ${table} where x = ${x}`.execute(db)',
      "const op = direction === 'asc' ? sql.raw('>') : sql.raw('<')",
      "db.selectFrom('carts').where('id', '=', id).execute()",
      'const match = /READY (\\S+)/.exec(out)',
      'await pool.query("select 1")',
      'const message = `selected ${n} products from the import`',
      'await pg.query<R>(sql, [...parameters])',
    ];
    expect(flagged.filter((s) => findStringSql(s).length === 0)).toEqual([]);
    expect(safe.filter((s) => findStringSql(s).length > 0)).toEqual([]);
  });

  it('finds no SQL built from strings in the production source (beyond the documented allowlist)', () => {
    const files = SCANNED.flatMap((dir) => productionFiles(join(ROOT, dir)));
    expect(files.length).toBeGreaterThan(50);
    const found = files.flatMap((file) =>
      findStringSql(readFileSync(file, 'utf8')).map((hit) => `${relative(ROOT, file)}: ${hit.text}`),
    );
    const unexplained = found.filter(
      (hit) => !Object.keys(ALLOWED).some((allowed) => hit.startsWith(allowed)),
    );
    expect(unexplained).toEqual([]);
    // An allowlist entry whose code is gone must go too.
    expect(Object.keys(ALLOWED).filter((allowed) => !found.some((hit) => hit.startsWith(allowed)))).toEqual(
      [],
    );
  });
});
