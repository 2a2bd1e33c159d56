-- Lookups by the ids of a batch are written `= any (array(...))`, which the planner answers with index
-- scans; a join against jsonb_array_elements was planned as a sequential scan of the whole table.
--
-- reserve_batch, set-based (ADR 0704): the locked stock rows are read once into a map of what is
-- available; each request is decided against that map in memory, in arrival order (all or nothing per
-- request, as before); then the accepted requests are applied with one update per SKU and one insert per
-- table. The hot row's lock is held for a few statements per batch instead of five per buyer.
create or replace function reserve_batch(requests jsonb) returns jsonb
language plpgsql set search_path from current as $$
declare
  req jsonb;
  line jsonb;
  available jsonb;
  results jsonb[] := '{}';
  accepted jsonb[] := '{}';
  accepted_ids text[] := '{}';
  short text[];
  known jsonb;
begin
  select coalesce(jsonb_object_agg(sku, on_hand - reserved), '{}'::jsonb) into available
    from (select sku, on_hand, reserved from stock
           where sku = any (array(select distinct l->>'sku'
                                    from jsonb_array_elements(requests) r, jsonb_array_elements(r->'lines') l))
           order by sku
           for update) locked;
  select coalesce(jsonb_object_agg(id, jsonb_build_object('status', status, 'expiresAt', expires_at)), '{}')
    into known
    from reservations where id = any (array(select r->>'id' from jsonb_array_elements(requests) r));
  for req in select value from jsonb_array_elements(requests) loop
    if req->>'id' = any(accepted_ids) then
      -- The same id twice in one batch (concurrent twins): the first one's reservation answers.
      results := results || jsonb_build_object('id', req->>'id', 'ok', true, 'existing', true, 'status', 'active',
                                               'expiresAt', now() + make_interval(secs => (req->>'ttl')::int));
      continue;
    end if;
    if known ? (req->>'id') then
      results := results || (jsonb_build_object('id', req->>'id', 'ok', true, 'existing', true)
                             || (known->(req->>'id')));
      continue;
    end if;
    select coalesce(array_agg(l->>'sku' order by l->>'sku'), '{}') into short
      from jsonb_array_elements(req->'lines') l
     where coalesce((available->>(l->>'sku'))::int, -1) < (l->>'quantity')::int;
    if cardinality(short) > 0 then
      results := results || jsonb_build_object('id', req->>'id', 'ok', false, 'short', to_jsonb(short));
      continue;
    end if;
    for line in select value from jsonb_array_elements(req->'lines') loop
      available := jsonb_set(available, array[line->>'sku'],
                             to_jsonb((available->>(line->>'sku'))::int - (line->>'quantity')::int));
    end loop;
    accepted := accepted || req;
    accepted_ids := accepted_ids || (req->>'id');
    results := results || jsonb_build_object('id', req->>'id', 'ok', true, 'existing', false, 'status', 'active',
                                             'expiresAt', now() + make_interval(secs => (req->>'ttl')::int));
  end loop;
  if cardinality(accepted) > 0 then
    with wanted as (
      select l->>'sku' as sku, sum((l->>'quantity')::int) as quantity
        from unnest(accepted) r, jsonb_array_elements(r->'lines') l group by 1
    )
    update stock s set reserved = s.reserved + w.quantity, updated_at = now()
      from wanted w where s.sku = w.sku;
    insert into reservations (id, status, expires_at)
      select r->>'id', 'active', now() + make_interval(secs => (r->>'ttl')::int) from unnest(accepted) r;
    insert into reservation_lines (reservation_id, sku, quantity)
      select r->>'id', l->>'sku', (l->>'quantity')::int
        from unnest(accepted) r, jsonb_array_elements(r->'lines') l;
    insert into movements (sku, kind, on_hand_delta, reserved_delta, reservation_id)
      select l->>'sku', 'reserve', 0, (l->>'quantity')::int, r->>'id'
        from unnest(accepted) r, jsonb_array_elements(r->'lines') l;
    -- One stock.changed event per SKU per batch: a flash sale emits one event per batch, not per buyer.
    insert into outbox (id, type, subject, payload, occurred_at)
      select gen_random_uuid(), 'inventory.stock.changed', s.sku,
             jsonb_build_object('sku', s.sku, 'available', s.on_hand - s.reserved,
                                'inStock', s.on_hand - s.reserved > 0, 'onHand', s.on_hand, 'reserved', s.reserved),
             now()
        from stock s
       where s.sku = any (array(select distinct l->>'sku' from unnest(accepted) r, jsonb_array_elements(r->'lines') l));
  end if;
  return to_jsonb(results);
end $$;

-- close_batch of migration 0003, with its lock query indexed as above.
create or replace function close_batch(requests jsonb) returns jsonb
language plpgsql set search_path from current as $$
declare
  req jsonb;
  prior text;
  target text;
  results jsonb := '[]'::jsonb;
  changed text[] := '{}';
begin
  perform 1 from stock
   where sku = any (array(select distinct rl.sku from reservation_lines rl
                           where rl.reservation_id = any (array(select r->>'id'
                                                                  from jsonb_array_elements(requests) r))))
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

