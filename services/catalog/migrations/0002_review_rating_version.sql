-- The version of the last rating event from the reviews service applied to the product: an event that
-- arrives late (redelivered after a failure) never puts back an older rating.
alter table products add column review_rating_version bigint not null default 0;
