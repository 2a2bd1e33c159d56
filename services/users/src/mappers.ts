import type { AddressRow, SellerRow, UserRow } from './store.ts';
import type { Address, Me, PublicUser, SellerProfile } from './types.ts';

const iso = (d: Date | string) => new Date(d).toISOString();

export const toPublicUser = (row: UserRow): PublicUser => ({
  id: row.id,
  name: row.name,
  role: row.role,
  status: row.status,
});

export const toSellerProfile = (row: SellerRow): SellerProfile => ({
  id: row.user_id,
  storeName: row.store_name,
  slug: row.slug,
  ...(row.description ? { description: row.description } : {}),
  ...(row.rating !== null ? { rating: row.rating } : {}),
});

export const toMe = (row: UserRow, seller?: SellerRow): Me => ({
  ...toPublicUser(row),
  email: row.email,
  createdAt: iso(row.created_at),
  ...(seller ? { seller: toSellerProfile(seller) } : {}),
});

export const toAddress = (row: AddressRow): Address => ({
  id: row.id,
  name: row.name,
  line1: row.line1,
  ...(row.line2 ? { line2: row.line2 } : {}),
  city: row.city,
  ...(row.region ? { region: row.region } : {}),
  postalCode: row.postal_code,
  country: row.country.trim(),
  isDefault: row.is_default,
  createdAt: iso(row.created_at),
});
