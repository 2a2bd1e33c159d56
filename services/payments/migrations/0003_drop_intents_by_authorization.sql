-- Webhooks find their intent by the gateway's reference (the order id, unique) since ADR 0707; nothing
-- looks intents up by authorization id any more, so the index only cost writes.
drop index if exists intents_authorization;
