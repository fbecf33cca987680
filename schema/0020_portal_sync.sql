-- 0020: synchronisation with the National Public Service Portal (docs/portal-sync.md). The
-- changes of portal status are read from the audit trail itself (every ticket event, appended in
-- the transaction of its change, ordered by id): the feed needs no second copy. What the portal's
-- connector acknowledges having stored is kept here, one row per dossier: the latest status it
-- stored and the feed entry (event id) it came from. Reconciliation compares it with ours.
CREATE TABLE sync_ack (
    ticket TEXT PRIMARY KEY REFERENCES ticket (code),
    event_id INTEGER NOT NULL,
    portal_status INTEGER NOT NULL CHECK (portal_status BETWEEN 1 AND 10),
    acked_at INTEGER NOT NULL,
    acked_by TEXT NOT NULL
);
