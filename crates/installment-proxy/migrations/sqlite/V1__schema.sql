-- The schema as of version 1 (every table the proxy had before versioned migrations). A
-- database written before them is first brought to this shape by `store::baseline`.
CREATE TABLE IF NOT EXISTS applications (
    id TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    provider_ref TEXT NOT NULL,
    order_id TEXT NOT NULL,
    amount TEXT NOT NULL,
    currency TEXT NOT NULL,
    months INTEGER NOT NULL,
    status TEXT NOT NULL,
    provider_status TEXT NOT NULL,
    redirect_url TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    items TEXT NOT NULL DEFAULT '[]',
    UNIQUE (provider, provider_ref)
);
CREATE TABLE IF NOT EXISTS webhook_events (
    provider TEXT NOT NULL,
    event_key TEXT NOT NULL,
    application_id TEXT,
    body BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    unverified BLOB,
    PRIMARY KEY (provider, event_key)
);
CREATE TABLE IF NOT EXISTS used_intents (
    order_id TEXT PRIMARY KEY,
    used_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS callbacks (
    event_id TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    delivered_at INTEGER,
    last_error TEXT,
    queued_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS callbacks_due ON callbacks (next_attempt_at) WHERE delivered_at IS NULL;
