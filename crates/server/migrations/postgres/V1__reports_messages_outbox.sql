-- The PostgreSQL store's schema. Ciphertexts up to 256 KiB sit in `body`; larger ones in
-- `chunks`, 1 MiB a row, written and read a chunk at a time.
CREATE TABLE reports (
    receipt TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    received_at TEXT NOT NULL,
    body BYTEA,
    -- SHA-256 (hex) of the conversation's access token.
    thread TEXT,
    seq BIGSERIAL NOT NULL
);
CREATE INDEX reports_by_time ON reports (received_at, seq);
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    receipt TEXT NOT NULL REFERENCES reports (receipt),
    sender TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    received_at TEXT NOT NULL,
    body BYTEA,
    seq BIGSERIAL NOT NULL
);
CREATE INDEX messages_by_receipt ON messages (receipt, received_at, seq);
-- `owner` is a receipt (sd-…) or a message id (m-…).
CREATE TABLE chunks (
    owner TEXT NOT NULL,
    n INTEGER NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (owner, n)
);
-- Ciphertext does not compress: store it as it is, out of line.
ALTER TABLE chunks ALTER COLUMN data SET STORAGE EXTERNAL;
ALTER TABLE reports ALTER COLUMN body SET STORAGE EXTERNAL;
ALTER TABLE messages ALTER COLUMN body SET STORAGE EXTERNAL;
CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL DEFAULT 0,
    sent_at TEXT
);
CREATE INDEX outbox_due ON outbox (next_at) WHERE sent_at IS NULL;
