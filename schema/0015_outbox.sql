-- 0015: telling citizens (Decree 61/2018 art. 19(9), 20; Decree 118/2025). A transactional
-- outbox: the message is written in the same transaction as the event it tells of, then a worker
-- inside deskd delivers it to the centre's gateway (SMS, e-mail, Zalo) as a signed webhook,
-- at least once, with an idempotency id; retries with backoff; dead letters an admin replays.

-- The centre's gateways: where messages of a channel are posted, and the HMAC-SHA256 secret that
-- signs them. Never deleted (messages name them); deactivated instead.
CREATE TABLE gateway (
    name TEXT PRIMARY KEY,
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'email', 'zalo')),
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,                          -- the order messages are delivered in, per ticket and gateway
    message_id TEXT NOT NULL UNIQUE,                 -- the idempotency id the receiver deduplicates by
    gateway TEXT NOT NULL REFERENCES gateway (name),
    ticket TEXT REFERENCES ticket (code),
    kind TEXT NOT NULL,                              -- received, supplement-requested, apology, stopped, refused, result-ready, resolved
    channel TEXT NOT NULL,                           -- the gateway's channel when written
    recipient TEXT NOT NULL,                         -- a phone number (+84…) or an e-mail address
    subject TEXT,                                    -- e-mail only
    text TEXT NOT NULL,                              -- the message, rendered from its template when written
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    delivered_at INTEGER
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX outbox_ticket ON outbox (ticket, gateway, id);
CREATE INDEX outbox_state ON outbox (state, id);
