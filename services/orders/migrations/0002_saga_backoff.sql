-- locked_until says someone is driving the saga; next_attempt_at says when an order parked after an
-- outage may be retried by the recovery loop. A payment event may wake a parked order at once (ADR 0705).
alter table orders add column next_attempt_at timestamptz;
