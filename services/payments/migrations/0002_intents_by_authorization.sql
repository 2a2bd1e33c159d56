-- Webhooks find their intent by the gateway's authorization id: without this index every webhook
-- scanned the whole table (ADR 0705).
create index intents_authorization on intents (authorization_id) where authorization_id is not null;
