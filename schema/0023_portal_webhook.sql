-- 0023: the portal's connector may take the synchronisation feed as signed webhooks instead of
-- pulling it (docs/portal-sync.md). One subscriber: where to post, the secret that signs, and the
-- cursor — the last feed entry it answered 2xx for. The cursor moves only after that answer, in
-- the transaction that records the entries as acknowledged, so nothing is skipped; a post whose
-- answer was lost is sent again with the same entry ids, which the subscriber deduplicates by.
CREATE TABLE sync_webhook (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    cursor INTEGER NOT NULL DEFAULT 0,
    delivered INTEGER NOT NULL DEFAULT 0,            -- feed entries delivered since it was set
    attempts INTEGER NOT NULL DEFAULT 0,             -- failed posts in a row
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    updated_at INTEGER NOT NULL
);
