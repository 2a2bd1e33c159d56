-- Whether any variant of the product can be bought now, as inventory last said (ADR 0611): kept from
-- inventory's stock events, null until first known. Browse filters on it (`inStock`).
alter table products add column in_stock boolean;
create index products_unknown_stock on products (id) where in_stock is null;
-- The browse sort `bestselling`, named as search names it.
create index products_listing_popularity on products (status, popularity desc, id desc);
