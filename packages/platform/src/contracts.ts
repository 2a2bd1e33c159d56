import { Type, type Static } from 'typebox';

/**
 * The shapes every service shares, declared once: route schemas, event schemas and API types all derive
 * from these, so a service cannot drift from another in what an amount or an address is.
 */
export const MoneySchema = Type.Object({
  /** Integer minor units (cents). */
  amount: Type.Integer(),
  /** ISO 4217 code. */
  currency: Type.String({ minLength: 3, maxLength: 3 }),
});
export type Money = Static<typeof MoneySchema>;

export const PostalAddressSchema = Type.Object({
  name: Type.String(),
  line1: Type.String(),
  line2: Type.Optional(Type.String()),
  city: Type.String(),
  region: Type.Optional(Type.String()),
  postalCode: Type.String(),
  country: Type.String(),
});
export type PostalAddress = Static<typeof PostalAddressSchema>;

/** Every entity id is a UUID (v7, time-ordered: `newId()`). */
export const IdSchema = Type.String({ format: 'uuid' });
