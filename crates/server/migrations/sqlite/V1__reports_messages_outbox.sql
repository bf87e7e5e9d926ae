-- The SQLite store's schema. Written with IF NOT EXISTS so that a store made before
-- migrations were versioned (brought up to date first by `sqlite.rs`) is adopted as it is.
CREATE TABLE IF NOT EXISTS reports (
    receipt TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    -- The ciphertext of a small report; empty when `file` names where it is.
    body BLOB NOT NULL,
    file TEXT,
    -- SHA-256 (hex) of the conversation's access token.
    thread TEXT
);
CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY,
    receipt TEXT NOT NULL REFERENCES reports(receipt),
    sender TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    body BLOB NOT NULL,
    file TEXT
);
CREATE INDEX IF NOT EXISTS messages_by_receipt ON messages (receipt, received_at);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL DEFAULT 0,
    sent_at TEXT
);
