-- The schema as of version 1, the same tables as SQLite's version 1 in PostgreSQL's types.
CREATE TABLE applications (
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
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    items TEXT NOT NULL DEFAULT '[]',
    UNIQUE (provider, provider_ref)
);
CREATE TABLE webhook_events (
    provider TEXT NOT NULL,
    event_key TEXT NOT NULL,
    application_id TEXT,
    body BYTEA NOT NULL,
    received_at BIGINT NOT NULL,
    unverified BYTEA,
    PRIMARY KEY (provider, event_key)
);
CREATE TABLE used_intents (
    order_id TEXT PRIMARY KEY,
    used_at BIGINT NOT NULL
);
CREATE TABLE callbacks (
    event_id TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    delivered_at BIGINT,
    last_error TEXT,
    queued_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX callbacks_due ON callbacks (next_attempt_at) WHERE delivered_at IS NULL;
