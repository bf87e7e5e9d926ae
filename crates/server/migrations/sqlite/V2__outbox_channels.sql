-- A notification is queued once per channel (webhook, email) and delivered per channel.
ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'webhook';
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (channel, next_at) WHERE sent_at IS NULL;
