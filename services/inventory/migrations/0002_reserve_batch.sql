-- Reserves a batch of requests in one statement (see ADR 0700). Every SKU the batch touches is locked
-- first, in sku order, so two batches (two processes) never deadlock. Each request is all-or-nothing:
-- its lines are applied by conditional updates and undone when any line is short. The hot row's lock is
-- held for the duration of one server-side call, never across a network round trip.
create function reserve_batch(requests jsonb) returns jsonb
language plpgsql set search_path from current as $$
declare
  req jsonb;
  line jsonb;
  results jsonb := '[]'::jsonb;
  short text[];
  applied integer;
  changed text[] := '{}';
begin
  perform 1 from stock
   where sku in (select distinct l->>'sku'
                   from jsonb_array_elements(requests) r, jsonb_array_elements(r->'lines') l)
   order by sku
   for update;
  for req in select value from jsonb_array_elements(requests) loop
    if exists (select 1 from reservations where id = req->>'id') then
      results := results || jsonb_build_object('id', req->>'id', 'ok', true);
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
    insert into reservations (id, status, expires_at)
      values (req->>'id', 'active', now() + make_interval(secs => (req->>'ttl')::int));
    insert into reservation_lines (reservation_id, sku, quantity)
      select req->>'id', l->>'sku', (l->>'quantity')::int from jsonb_array_elements(req->'lines') l;
    insert into movements (sku, kind, on_hand_delta, reserved_delta, reservation_id)
      select l->>'sku', 'reserve', 0, (l->>'quantity')::int, req->>'id'
        from jsonb_array_elements(req->'lines') l;
    select array_agg(distinct x) into changed
      from unnest(changed || array(select l->>'sku' from jsonb_array_elements(req->'lines') l)) x;
    results := results || jsonb_build_object('id', req->>'id', 'ok', true);
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
