-- The public lookups' rate limits held per centre, not per instance (issue 18; docs/postgresql.md,
-- "Several instances"). A file has one deskd, which counts in memory; on a server every instance
-- counts in this table, one upsert per request outside the writers' lock, so a client sent to
-- each instance in turn by the load balancer gets the centre's allowance once, not once per instance.
-- UNLOGGED: not written to the WAL (nor replicated) and emptied after a crash of the server — a
-- window of a minute is not worth a durable write. Not part of the centre's model (db copy and
-- db check leave it out): nothing in it outlives its window.
CREATE UNLOGGED TABLE rate_window (
    scope text NOT NULL,          -- which limit: 'lookup' (a dossier's status, a seal), 'follow' (a walk-in number)
    client text NOT NULL,         -- the client's address, as deskd tells it (behind trusted proxies)
    started bigint NOT NULL,      -- the window's start: the server's clock, milliseconds since 1970
    count bigint NOT NULL,        -- requests counted in the window
    PRIMARY KEY (scope, client)
);
-- The windows over are deleted now and then (PostgresEngine.countRequest): found by their start.
CREATE INDEX rate_window_started ON rate_window (scope, started);
