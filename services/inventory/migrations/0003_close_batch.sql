-- A committed reservation can be restocked once (a paid order cancelled and refunded: its units go
-- back on the shelf). The status guard makes it idempotent; the ledger gets a 'restock' movement.
alter table reservations drop constraint reservations_status_check;
alter table reservations add constraint reservations_status_check
  check (status in ('active', 'committed', 'released', 'restocked'));
alter table movements drop constraint movements_kind_check;
alter table movements add constraint movements_kind_check
  check (kind in ('adjust', 'reserve', 'commit', 'release', 'restock'));

-- Closes a batch of reservations in one statement (ADR 0704): commit or release an active one, restock a
-- committed one. Like reserve_batch, every SKU the batch touches is locked first in sku order (the two
-- functions never deadlock each other), and the hot row's lock is held for one server-side call instead
-- of one round trip per line. Each request's status update is its guard: a request that finds the
-- reservation in another state changes nothing and reports the state it found ('missing' if none).
create function close_batch(requests jsonb) returns jsonb
language plpgsql set search_path from current as $$
declare
  req jsonb;
  prior text;
  target text;
  results jsonb := '[]'::jsonb;
  changed text[] := '{}';
begin
  perform 1 from stock
   where sku in (select distinct rl.sku
                   from jsonb_array_elements(requests) r
                   join reservation_lines rl on rl.reservation_id = r->>'id')
   order by sku
   for update;
  for req in select value from jsonb_array_elements(requests) loop
    target := req->>'to';
    update reservations set status = target, closed_at = now(), reason = req->>'reason'
     where id = req->>'id'
       and status = case when target = 'restocked' then 'committed' else 'active' end
     returning case when target = 'restocked' then 'committed' else 'active' end into prior;
    if prior is null then
      select status into prior from reservations where id = req->>'id';
      results := results || jsonb_build_object('id', req->>'id', 'before', coalesce(prior, 'missing'));
      continue;
    end if;
    with lines as (
      select rl.sku, rl.quantity,
             case target when 'committed' then -rl.quantity when 'restocked' then rl.quantity else 0 end
               as on_hand_delta,
             case when target = 'restocked' then 0 else -rl.quantity end as reserved_delta
        from reservation_lines rl where rl.reservation_id = req->>'id'
    ), moved as (
      update stock s set on_hand = s.on_hand + l.on_hand_delta,
                         reserved = s.reserved + l.reserved_delta, updated_at = now()
        from lines l where s.sku = l.sku
      returning s.sku
    )
    insert into movements (sku, kind, on_hand_delta, reserved_delta, reservation_id, reason)
      select l.sku,
             case target when 'committed' then 'commit' when 'released' then 'release' else 'restock' end,
             l.on_hand_delta, l.reserved_delta, req->>'id', req->>'reason'
        from lines l;
    select array_agg(distinct x) into changed
      from unnest(changed || array(select sku from reservation_lines where reservation_id = req->>'id')) x;
    results := results || jsonb_build_object('id', req->>'id', 'before', prior);
  end loop;
  insert into outbox (id, type, subject, payload, occurred_at)
    select gen_random_uuid(), 'inventory.stock.changed', s.sku,
           jsonb_build_object('sku', s.sku, 'available', s.on_hand - s.reserved,
                              'inStock', s.on_hand - s.reserved > 0, 'onHand', s.on_hand, 'reserved', s.reserved),
           now()
      from stock s where s.sku = any(changed);
  return results;
end $$;

-- reserve_batch answers with the reservation's expiry and status, so reserve needs no read-back.
create or replace function reserve_batch(requests jsonb) returns jsonb
language plpgsql set search_path from current as $$
declare
  req jsonb;
  line jsonb;
  results jsonb := '[]'::jsonb;
  short text[];
  applied integer;
  changed text[] := '{}';
  existing record;
  expires timestamptz;
begin
  perform 1 from stock
   where sku in (select distinct l->>'sku'
                   from jsonb_array_elements(requests) r, jsonb_array_elements(r->'lines') l)
   order by sku
   for update;
  for req in select value from jsonb_array_elements(requests) loop
    select status, expires_at into existing from reservations where id = req->>'id';
    if found then
      results := results || jsonb_build_object('id', req->>'id', 'ok', true, 'existing', true,
                                               'status', existing.status, 'expiresAt', existing.expires_at);
      continue;
    end if;
    short := '{}';
    for line in select value from jsonb_array_elements(req->'lines') order by value->>'sku' loop
      update stock set reserved = reserved + (line->>'quantity')::int, updated_at = now()
       where sku = line->>'sku' and on_hand - reserved >= (line->>'quantity')::int;
      get diagnostics applied = row_count;
      if applied = 0 then short := short || (line->>'sku'); end if;
    end loop;
    if cardinality(short) > 0 then
      update stock s set reserved = s.reserved - (l->>'quantity')::int
        from jsonb_array_elements(req->'lines') l
       where s.sku = l->>'sku' and not ((l->>'sku') = any(short));
      results := results || jsonb_build_object('id', req->>'id', 'ok', false, 'short', to_jsonb(short));
      continue;
    end if;
    expires := now() + make_interval(secs => (req->>'ttl')::int);
    insert into reservations (id, status, expires_at) values (req->>'id', 'active', expires);
    insert into reservation_lines (reservation_id, sku, quantity)
      select req->>'id', l->>'sku', (l->>'quantity')::int from jsonb_array_elements(req->'lines') l;
    insert into movements (sku, kind, on_hand_delta, reserved_delta, reservation_id)
      select l->>'sku', 'reserve', 0, (l->>'quantity')::int, req->>'id'
        from jsonb_array_elements(req->'lines') l;
    select array_agg(distinct x) into changed
      from unnest(changed || array(select l->>'sku' from jsonb_array_elements(req->'lines') l)) x;
    results := results || jsonb_build_object('id', req->>'id', 'ok', true, 'existing', false,
                                             'status', 'active', 'expiresAt', expires);
  end loop;
  -- One stock.changed event per SKU per batch: a flash sale emits one event per batch, not per buyer.
  insert into outbox (id, type, subject, payload, occurred_at)
    select gen_random_uuid(), 'inventory.stock.changed', s.sku,
           jsonb_build_object('sku', s.sku, 'available', s.on_hand - s.reserved,
                              'inStock', s.on_hand - s.reserved > 0, 'onHand', s.on_hand, 'reserved', s.reserved),
           now()
      from stock s where s.sku = any(changed);
  return results;
end $$;
