-- Guest checkout (ADR 0740). A guest's order has customer_id 'guest:<cart id>' until a signed-in
-- customer with the same normalised e-mail links it with its access token; then it is theirs.
alter table orders add column guest_email text;
alter table orders add column guest_email_key text;
alter table orders add column guest_cart_id text;
-- A guest's retry is found by its cart and key even after the order was linked to an account.
create unique index orders_guest_key on orders (guest_cart_id, idempotency_key) where guest_cart_id is not null;

-- The key that signs guest order links: made once per database, shared by every orders process.
create table order_secrets (
  name text primary key,
  secret text not null
);
