-- A notification is queued once per channel (webhook, email) and delivered per channel.
ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'webhook';
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox (channel, next_at) WHERE sent_at IS NULL;
