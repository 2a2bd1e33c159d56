import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import {
  forbidden,
  newId,
  requireUser,
  validation,
  type AuthUser,
  type HttpServer,
} from '@emporium/platform';
import type { CommissionRules } from './commission.ts';
import type { Ledger } from './ledger.ts';
import type { Payouts } from './payouts.ts';

const tags = ['ledger'];
const Currency = Type.String({ pattern: '^[A-Z]{3}$' });
const MoneyT = Type.Object({ amount: Type.Integer(), currency: Currency }, { additionalProperties: false });
const SellerQuery = Type.Optional(
  Type.String({ minLength: 1, maxLength: 100, description: 'Admins only: the seller to look at' }),
);
const Balance = Type.Object({
  currency: Type.String(),
  pending: Type.Integer({ description: 'sent in payouts not settled yet' }),
  available: Type.Integer({ description: 'what the next payout pays; negative when the seller owes' }),
  reserved: Type.Integer({ description: 'held back for returns' }),
  paidOut: Type.Integer({ description: 'settled payouts, all time' }),
});
const Entry = Type.Object({
  postingId: Type.String(),
  kind: Type.String(),
  at: Type.String(),
  currency: Type.String(),
  amount: Type.Integer(),
  reserve: Type.Integer(),
  orderId: Type.Optional(Type.String()),
  payoutId: Type.Optional(Type.String()),
  memo: Type.Optional(Type.String()),
});
const PayoutT = Type.Object({
  id: Type.String(),
  sellerId: Type.String(),
  amount: MoneyT,
  status: Type.String(),
  trigger: Type.String(),
  transferId: Type.Optional(Type.String()),
  failure: Type.Optional(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const Rule = Type.Object({
  category: Type.Union([Type.String(), Type.Null()]),
  percentBps: Type.Integer(),
  fixedFee: Type.Optional(MoneyT),
  updatedAt: Type.String(),
});
const Instant = Type.String({ minLength: 10, maxLength: 40, pattern: '^\\d{4}-\\d{2}-\\d{2}' });
const KeyHeader = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
});

/** The seller a request is about: the caller itself, or for an admin the one it names. */
function sellerOf(user: AuthUser, named: string | undefined): string {
  if (user.role === 'admin') {
    if (!named) throw validation('Name the seller', [{ field: 'sellerId', message: 'required for admins' }]);
    return named;
  }
  if (named !== undefined && named !== user.id) throw forbidden('A seller sees its own ledger only');
  return user.id;
}

function keyOf(request: FastifyRequest): string {
  const key = request.headers['idempotency-key'] ?? newId();
  if (typeof key !== 'string') throw validation('Idempotency-Key must be one value');
  return key;
}

function instant(value: string | undefined, fallback: Date, field: string): string {
  if (value === undefined) return fallback.toISOString();
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw validation('Not a date', [{ field, message: 'must be an ISO 8601 date or time' }]);
  return new Date(ms).toISOString();
}

const encodeCursor = (at: string, id: string) => Buffer.from(JSON.stringify([at, id])).toString('base64url');
function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    if (typeof at === 'string' && typeof id === 'string' && !Number.isNaN(Date.parse(at))) return { at, id };
  } catch {
    // falls through to the validation error
  }
  throw validation('Not a cursor of this list', [{ field: 'cursor', message: 'use a nextCursor as given' }]);
}

const DAY_MS = 86_400_000;

export function sellerRoutes(ledger: Ledger, payouts: Payouts) {
  return async (app: HttpServer) => {
    app.get(
      '/seller/ledger',
      {
        schema: {
          tags,
          summary: "The seller's balances per currency: pending, available, reserved, paid out",
          querystring: Type.Object({ sellerId: SellerQuery }),
          response: { 200: Type.Object({ sellerId: Type.String(), balances: Type.Array(Balance) }) },
        },
        config: { auth: 'seller' },
      },
      async (request) => {
        const sellerId = sellerOf(requireUser(request), request.query.sellerId);
        return { sellerId, balances: await ledger.balances(sellerId) };
      },
    );
    app.get(
      '/seller/statements',
      {
        schema: {
          tags,
          summary:
            "The seller's ledger entries in [from, to), oldest first, with the order or payout of each",
          querystring: Type.Object({
            from: Type.Optional(Instant),
            to: Type.Optional(Instant),
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
            sellerId: SellerQuery,
          }),
          response: {
            200: Type.Object({
              sellerId: Type.String(),
              from: Type.String(),
              to: Type.String(),
              items: Type.Array(Entry),
              nextCursor: Type.Optional(Type.String()),
            }),
          },
        },
        config: { auth: 'seller' },
      },
      async (request) => {
        const { query } = request;
        const sellerId = sellerOf(requireUser(request), query.sellerId);
        const now = Date.now();
        const to = instant(query.to, new Date(now + 1_000), 'to');
        const from = instant(query.from, new Date(now - 30 * DAY_MS), 'from');
        const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
        const items = await ledger.statement(sellerId, { from, to, after, limit: query.limit });
        const last = items.length === query.limit ? items.at(-1) : undefined;
        return {
          sellerId,
          from,
          to,
          items,
          ...(last ? { nextCursor: encodeCursor(last.at, last.postingId) } : {}),
        };
      },
    );
    app.get(
      '/seller/payouts',
      {
        schema: {
          tags,
          summary: "The seller's latest payouts, newest first",
          querystring: Type.Object({ sellerId: SellerQuery }),
          response: { 200: Type.Object({ items: Type.Array(PayoutT) }) },
        },
        config: { auth: 'seller' },
      },
      async (request) => ({
        items: await payouts.list(sellerOf(requireUser(request), request.query.sellerId)),
      }),
    );
    app.post(
      '/seller/payouts',
      {
        schema: {
          tags,
          summary: 'Pay out now, up to the available balance (Idempotency-Key header)',
          description: 'A payout above the available balance is a 409 and changes nothing.',
          headers: KeyHeader,
          body: Type.Object(
            {
              amount: Type.Object(
                { amount: Type.Integer({ minimum: 1, maximum: 100_000_000_000 }), currency: Currency },
                { additionalProperties: false },
              ),
              sellerId: SellerQuery,
            },
            { additionalProperties: false },
          ),
          response: { 201: PayoutT },
        },
        config: { auth: 'seller', problems: [409, 422] },
      },
      async (request, reply) => {
        const sellerId = sellerOf(requireUser(request), request.body.sellerId);
        const payout = await payouts.request(sellerId, request.body.amount, keyOf(request));
        return reply.code(201).send(payout);
      },
    );
  };
}

export function adminRoutes(ledger: Ledger, rules: CommissionRules, payouts: Payouts) {
  return async (app: HttpServer) => {
    const admin = { auth: 'admin' } as const;
    app.get(
      '/admin/commission-rules',
      {
        schema: {
          tags,
          summary: 'Commission rules by category',
          response: { 200: Type.Object({ items: Type.Array(Rule) }) },
        },
        config: admin,
      },
      async () => ({ items: await rules.list() }),
    );
    app.put(
      '/admin/commission-rules',
      {
        schema: {
          tags,
          summary: "Set a category's commission (null: the platform default)",
          description:
            'percentBps is in basis points (10000 = 100 %); fixedFee is charged per unit sold, on sales in ' +
            'its currency. The rule of the deepest category on a product’s path wins.',
          body: Type.Object(
            {
              category: Type.Union([Type.String({ minLength: 1, maxLength: 500 }), Type.Null()]),
              percentBps: Type.Integer({ minimum: 0, maximum: 10_000 }),
              fixedFee: Type.Optional(
                Type.Object(
                  { amount: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }), currency: Currency },
                  { additionalProperties: false },
                ),
              ),
            },
            { additionalProperties: false },
          ),
          response: { 200: Rule },
        },
        config: admin,
      },
      async (request) => rules.put(request.body),
    );
    app.delete(
      '/admin/commission-rules',
      {
        schema: {
          tags,
          summary: "Remove a category's rule (its products fall back to the parent's or the default)",
          querystring: Type.Object({ category: Type.String({ minLength: 1, maxLength: 500 }) }),
          response: { 204: Type.Null() },
        },
        config: { ...admin, problems: [409] },
      },
      async (request, reply) => {
        await rules.remove(request.query.category);
        return reply.code(204).send(null);
      },
    );
    app.post(
      '/admin/ledger/adjustments',
      {
        schema: {
          tags,
          summary: "Correct a seller's balance (positive credits it) (Idempotency-Key header)",
          headers: KeyHeader,
          body: Type.Object(
            {
              sellerId: Type.String({ minLength: 1, maxLength: 100 }),
              amount: Type.Object(
                {
                  amount: Type.Integer({ minimum: -100_000_000_000, maximum: 100_000_000_000 }),
                  currency: Currency,
                },
                { additionalProperties: false },
              ),
              memo: Type.String({ minLength: 1, maxLength: 500 }),
            },
            { additionalProperties: false },
          ),
          response: { 201: Type.Object({ posted: Type.Boolean() }) },
        },
        config: admin,
      },
      async (request, reply) => {
        const posted = await ledger.adjust({ ...request.body, key: keyOf(request) });
        return reply.code(201).send({ posted });
      },
    );
    app.get(
      '/admin/ledger/trial-balance',
      {
        schema: {
          tags,
          summary: 'Every account kind’s balance per currency (debit positive); each currency sums to 0',
          response: {
            200: Type.Object({
              balanced: Type.Boolean(),
              items: Type.Array(
                Type.Object({ account: Type.String(), currency: Type.String(), balance: Type.Integer() }),
              ),
            }),
          },
        },
        config: admin,
      },
      async () => {
        const items = await ledger.trialBalance();
        const sums = new Map<string, number>();
        for (const i of items) sums.set(i.currency, (sums.get(i.currency) ?? 0) + i.balance);
        return { balanced: [...sums.values()].every((s) => s === 0), items };
      },
    );
    app.post(
      '/admin/payouts/run',
      {
        schema: {
          tags,
          summary: 'Pay every seller its available balance now, as the schedule does',
          response: { 200: Type.Object({ items: Type.Array(PayoutT) }) },
        },
        config: admin,
      },
      async () => ({ items: await payouts.payEveryone() }),
    );
  };
}
