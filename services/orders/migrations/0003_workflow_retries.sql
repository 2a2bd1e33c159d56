-- Failed attempts in a row at the current saga step: the pause before the next attempt doubles with each
-- one, up to a cap (ADR 0009). Rows of before this migration start at 0, the old fixed pause.
alter table orders add column failures integer not null default 0;
-- The workflow runner undoes a paid order latest step first: restock, then refund. A cancel in flight
-- at 'refund' (no failure recorded) would otherwise skip its restock; both steps are idempotent, so it
-- goes back to 'restock'. A refund after a failed commit (failure recorded) has nothing to restock.
update orders set saga_step = 'restock' where saga_step = 'refund' and failure is null;
