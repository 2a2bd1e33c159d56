/**
 * Bad-input generators driven by the served OpenAPI document: what an operation takes (path and query
 * parameters, a JSON body schema) is read from the document, and fast-check builds requests that are
 * wrong in one or more ways. The suite that uses them is `apps/server/src/openapi-fuzz.test.ts`.
 */
import fc from 'fast-check';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  minimum?: number;
  format?: string;
  default?: unknown;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  schema?: JsonSchema;
}

export interface Operation {
  key: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path as OpenAPI writes it, `{id}` for a parameter. */
  path: string;
  pathParams: Parameter[];
  query: Parameter[];
  /** The JSON body schema, when the operation declares one. */
  body: JsonSchema | undefined;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: RequestBody }>>;
}
interface RequestBody {
  content?: Record<string, { schema?: JsonSchema }>;
}

/** Every operation of the document, in its order. */
export function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const parameters = op.parameters ?? [];
      return {
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase() as Operation['method'],
        path,
        pathParams: parameters.filter((p) => p.in === 'path'),
        query: parameters.filter((p) => p.in === 'query'),
        body: op.requestBody?.content?.['application/json']?.schema,
      };
    }),
  );
}

/** A value the schema accepts, as small as possible: the base the mutations start from. */
export function sampleOf(schema: JsonSchema): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  if (schema.anyOf) return sampleOf(schema.anyOf[0]!);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(
        (schema.required ?? []).map((name) => [name, sampleOf(schema.properties?.[name] ?? {})]),
      );
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sampleOf(schema.items ?? {}));
    case 'string':
      return schema.format === 'uuid'
        ? '0190a8c1-0000-7000-8000-000000000000'
        : 'x'.repeat(schema.minLength ?? 1);
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return 'x';
  }
}

const INJECTIONS = [
  // SQL
  "' OR '1'='1",
  '1; DROP TABLE users; --',
  "' UNION SELECT password_hash, email FROM users.users --",
  "'; SELECT pg_sleep(5); --",
  "%' AND 1=0 UNION SELECT NULL--",
  '\\',
  // NoSQL, as text
  '{"$gt": ""}',
  '[$ne]=1',
  // path traversal
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '....//....//etc/passwd',
  '/etc/passwd',
  '..\\..\\windows\\win.ini',
  // HTML and templates
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '{{7*7}}${7*7}<%= 7*7 %>',
  // headers and formats
  'a\r\nSet-Cookie: owned=1',
  '%s%s%s%n',
  '__proto__',
];
const NOSQL_OBJECTS = [{ $gt: '' }, { $ne: null }, { $where: 'sleep(1000)' }, { __proto__: { admin: true } }];

const char = (min: number, max: number) => fc.integer({ min, max }).map((c) => String.fromCharCode(c));
/** Control characters, invisible and direction-changing ones, lone surrogates. */
const oddUnit = fc.oneof(
  char(0x00, 0x1f),
  fc.constantFrom('\u007f', '\u0085', '\u00a0', '\u200b', '\u202e', '\u2028', '\ufeff', '\uffff'),
  char(0xd800, 0xdfff),
);
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...INJECTIONS),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: oddUnit, minLength: 1, maxLength: 10 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '\t', 'null', 'undefined', 'NaN', '-0', '1e309', '0x1F'),
  // Huge: far over every maxLength the schemas declare
  fc
    .tuple(fc.constantFrom('x', 'é', '😀', '\u0301'), fc.integer({ min: 1_000, max: 120_000 }))
    .map(([s, n]) => s.repeat(n)),
);

const nastyNumber = fc.oneof(
  fc.constantFrom(-1, 0, 1.5, -0.5, 1e308, -1e308, 2 ** 31, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER * 10),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Any JSON value that is likely the wrong type or out of range for a field. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  nastyNumber,
  fc.constantFrom(null, true, false, [], {}, [null], [[[[]]]], ...NOSQL_OBJECTS),
  fc.jsonValue({ maxDepth: 3 }),
  fc.integer({ min: 50, max: 2_000 }).map((depth) => nest(depth)),
);

/**
 * Deep nesting: `[[[...]]]`, for recursive walkers and validators. It prints as `nest(n)` in a report:
 * fast-check's own printer recurses and would overflow the stack.
 */
function nest(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = [value];
  return Object.assign(value as unknown[], { [fc.toStringMethod]: () => `nest(${depth})` });
}

type Json = Record<string, unknown>;
type Mutation = (body: unknown) => unknown;

const EXTRA_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '$where',
  'role',
  'isAdmin',
  'id',
  'sellerId',
  'userId',
];

/** Replaces, drops or adds fields of a body, or replaces the whole of it. */
export function mutation(schema: JsonSchema): fc.Arbitrary<Mutation> {
  const fields = Object.keys(schema.properties ?? {});
  const required = schema.required ?? [];
  const options: fc.Arbitrary<Mutation>[] = [
    nastyValue.map((value) => () => value),
    fc
      .dictionary(fc.oneof(fc.constantFrom(...EXTRA_KEYS), fc.string({ maxLength: 12 })), nastyValue, {
        minKeys: 1,
        maxKeys: 3,
      })
      .map((extra) => (body) => ({ ...asObject(body), ...extra })),
  ];
  if (fields.length)
    options.push(
      fc
        .tuple(fc.constantFrom(...fields), nastyValue)
        .map(([field, value]) => (body) => ({ ...asObject(body), [field]: value })),
    );
  if (required.length)
    options.push(
      fc.constantFrom(...required).map((field) => (body) => {
        const { [field]: _dropped, ...rest } = asObject(body);
        return rest;
      }),
    );
  return fc.oneof(...options);
}

const asObject = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};

/** A body built from the schema's sample by one to three mutations. */
export function mutatedBody(schema: JsonSchema): fc.Arbitrary<unknown> {
  return fc
    .array(mutation(schema), { minLength: 1, maxLength: 3 })
    .map((steps) => steps.reduce((body, step) => step(body), sampleOf(schema)));
}

/** Ids nobody issued, of every shape: well-formed unknown UUIDs, junk, traversal, huge numbers. */
export const invalidId: fc.Arbitrary<string> = fc.oneof(
  fc.uuid({ version: [4, 7] }),
  fc.constantFrom(
    '0',
    '-1',
    'null',
    'undefined',
    'true',
    '00000000-0000-0000-0000-000000000000',
    '99999999999999999999',
  ),
  fc.constantFrom('..', '.', '%', '%2e%2e', '\\'),
  nastyString.filter((s) => s.length > 0 && s.length <= 300),
);

/** Paging and filter values nobody should send: negative, huge, fractional, not numbers, not cursors. */
export const absurdQueryValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('-1', '0', '1.5', '1e9', '99999999999999999999', 'NaN', 'Infinity', '', 'true', '[]', '{}'),
  fc.integer().map(String),
  fc.base64String({ maxLength: 60 }),
  nastyString.filter((s) => s.length <= 5_000),
);

/**
 * A path segment or query value as a client would put it on the wire. `encodeURIComponent` throws on a
 * lone surrogate; a careless client sends its three CESU-8 bytes instead, which are not UTF-8.
 */
export function encodeComponent(text: string): string {
  let out = '';
  for (const unit of text) {
    try {
      out += encodeURIComponent(unit);
    } catch {
      const code = unit.charCodeAt(0);
      const bytes = [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
      out += bytes.map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    }
  }
  return out;
}

export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeComponent(values[name] ?? 'x'));
}

export function queryString(values: [string, string][]): string {
  if (!values.length) return '';
  return '?' + values.map(([k, v]) => `${encodeComponent(k)}=${encodeComponent(v)}`).join('&');
}
