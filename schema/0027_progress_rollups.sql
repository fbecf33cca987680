-- Progress rollups (issue 17; docs/reports.md, progress): per local day of acceptance and group —
-- all tickets, a department, a service, a channel, a holder — how many *ended* tickets (resolved or
-- closed) have each progress code as if the period ran to the end of time: the channel they came
-- by, how they were resolved, whether they were withdrawn (the bits of the report's code,
-- AppDatabase.progress). Open tickets are never counted here: whether they are overdue changes with
-- the clock, without a write; the report reads them as rows (the partial index below), with the
-- ended tickets whose life crosses the period's start or end — accepted at most `longest_life`
-- seconds before it — and the tickets that ended before they were accepted (normally none; they
-- are left out of the rollups and read as rows by the second partial index).
--
-- Kept by the triggers below, like the rollups of 0026, at the offset in report_rollup (nothing
-- until ServiceDesk builds them). A migration that rebuilds ticket must create them again.
ALTER TABLE report_rollup ADD COLUMN longest_life INTEGER NOT NULL DEFAULT 0;  -- seconds, accepted → last end
-- Not built at any offset: ServiceDesk counts all the rollups afresh, these with them.
UPDATE report_rollup SET utc_offset = NULL;

CREATE TABLE progress_rollup (
    kind TEXT NOT NULL,                              -- all, department, service, channel, staff
    day INTEGER NOT NULL,                            -- local day of accepted_at, since 1970-01-01
    key TEXT NOT NULL,                               -- 'all', or the group's code ('-' for none)
    code INTEGER NOT NULL,                           -- the progress code (received, resolved, withdrawn bits)
    tickets INTEGER NOT NULL,
    PRIMARY KEY (kind, day, key, code)
) WITHOUT ROWID;

CREATE INDEX ticket_progress_open ON ticket (accepted_at) WHERE resolved_at IS NULL AND closed_at IS NULL;
CREATE INDEX ticket_progress_irregular ON ticket (accepted_at)
    WHERE accepted_at IS NOT NULL AND (resolved_at < accepted_at OR closed_at < accepted_at);

CREATE TRIGGER progress_rollup_insert AFTER INSERT ON ticket
WHEN new.accepted_at IS NOT NULL AND (new.resolved_at IS NOT NULL OR new.closed_at IS NOT NULL) AND coalesce(new.resolved_at >= new.accepted_at, 1) AND coalesce(new.closed_at >= new.accepted_at, 1) AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    INSERT INTO progress_rollup (kind, day, key, code, tickets)
    SELECT g.column1, (new.accepted_at + r.utc_offset) / 86400, g.column2,
        (CASE new.channel WHEN 'counter' THEN 1 WHEN 'post' THEN 3 WHEN 'hotline' THEN 4 WHEN 'web' THEN 2 WHEN 'mobile' THEN 2 WHEN 'open311' THEN 2 WHEN 'email' THEN 2 ELSE 5 END)
            + 8 * (CASE WHEN new.resolved_at IS NULL THEN 0 ELSE (CASE new.timeliness WHEN 'early' THEN 1 WHEN 'on-time' THEN 2 WHEN 'late' THEN (CASE WHEN new.apologised_at IS NULL THEN 3 ELSE 4 END) ELSE 5 END) END)
            + 1024 * (new.state = 'withdrawn' AND new.closed_at IS NOT NULL), 1
    FROM report_rollup r, (VALUES ('all', 'all'), ('department', coalesce(new.department, '-')), ('service', new.service), ('channel', new.channel), ('staff', coalesce(new.holder, '-'))) g
    WHERE true
    ON CONFLICT (kind, day, key, code) DO UPDATE SET tickets = tickets + 1;
    UPDATE report_rollup SET longest_life = max(longest_life, max(coalesce(new.resolved_at, new.closed_at), coalesce(new.closed_at, new.resolved_at)) - new.accepted_at);
END;

CREATE TRIGGER progress_rollup_update_old AFTER UPDATE OF accepted_at, resolved_at, closed_at, channel, timeliness, apologised_at, state, department, service, holder ON ticket
WHEN old.accepted_at IS NOT NULL AND (old.resolved_at IS NOT NULL OR old.closed_at IS NOT NULL) AND coalesce(old.resolved_at >= old.accepted_at, 1) AND coalesce(old.closed_at >= old.accepted_at, 1) AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
    AND (old.accepted_at IS NOT new.accepted_at OR old.resolved_at IS NOT new.resolved_at OR old.closed_at IS NOT new.closed_at OR old.channel IS NOT new.channel OR old.timeliness IS NOT new.timeliness OR old.apologised_at IS NOT new.apologised_at OR old.state IS NOT new.state OR old.department IS NOT new.department OR old.service IS NOT new.service OR old.holder IS NOT new.holder)
BEGIN
    UPDATE progress_rollup SET tickets = tickets - 1 WHERE (kind, day, key, code) IN (SELECT column1, (old.accepted_at + (SELECT utc_offset FROM report_rollup)) / 86400, column2,
        (CASE old.channel WHEN 'counter' THEN 1 WHEN 'post' THEN 3 WHEN 'hotline' THEN 4 WHEN 'web' THEN 2 WHEN 'mobile' THEN 2 WHEN 'open311' THEN 2 WHEN 'email' THEN 2 ELSE 5 END)
            + 8 * (CASE WHEN old.resolved_at IS NULL THEN 0 ELSE (CASE old.timeliness WHEN 'early' THEN 1 WHEN 'on-time' THEN 2 WHEN 'late' THEN (CASE WHEN old.apologised_at IS NULL THEN 3 ELSE 4 END) ELSE 5 END) END)
            + 1024 * (old.state = 'withdrawn' AND old.closed_at IS NOT NULL) FROM (VALUES ('all', 'all'), ('department', coalesce(old.department, '-')), ('service', old.service), ('channel', old.channel), ('staff', coalesce(old.holder, '-'))));
    DELETE FROM progress_rollup WHERE tickets <= 0 AND (kind, day, key, code) IN (SELECT column1, (old.accepted_at + (SELECT utc_offset FROM report_rollup)) / 86400, column2,
        (CASE old.channel WHEN 'counter' THEN 1 WHEN 'post' THEN 3 WHEN 'hotline' THEN 4 WHEN 'web' THEN 2 WHEN 'mobile' THEN 2 WHEN 'open311' THEN 2 WHEN 'email' THEN 2 ELSE 5 END)
            + 8 * (CASE WHEN old.resolved_at IS NULL THEN 0 ELSE (CASE old.timeliness WHEN 'early' THEN 1 WHEN 'on-time' THEN 2 WHEN 'late' THEN (CASE WHEN old.apologised_at IS NULL THEN 3 ELSE 4 END) ELSE 5 END) END)
            + 1024 * (old.state = 'withdrawn' AND old.closed_at IS NOT NULL) FROM (VALUES ('all', 'all'), ('department', coalesce(old.department, '-')), ('service', old.service), ('channel', old.channel), ('staff', coalesce(old.holder, '-'))));
END;

CREATE TRIGGER progress_rollup_update_new AFTER UPDATE OF accepted_at, resolved_at, closed_at, channel, timeliness, apologised_at, state, department, service, holder ON ticket
WHEN new.accepted_at IS NOT NULL AND (new.resolved_at IS NOT NULL OR new.closed_at IS NOT NULL) AND coalesce(new.resolved_at >= new.accepted_at, 1) AND coalesce(new.closed_at >= new.accepted_at, 1) AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
    AND (old.accepted_at IS NOT new.accepted_at OR old.resolved_at IS NOT new.resolved_at OR old.closed_at IS NOT new.closed_at OR old.channel IS NOT new.channel OR old.timeliness IS NOT new.timeliness OR old.apologised_at IS NOT new.apologised_at OR old.state IS NOT new.state OR old.department IS NOT new.department OR old.service IS NOT new.service OR old.holder IS NOT new.holder)
BEGIN
    INSERT INTO progress_rollup (kind, day, key, code, tickets)
    SELECT g.column1, (new.accepted_at + r.utc_offset) / 86400, g.column2,
        (CASE new.channel WHEN 'counter' THEN 1 WHEN 'post' THEN 3 WHEN 'hotline' THEN 4 WHEN 'web' THEN 2 WHEN 'mobile' THEN 2 WHEN 'open311' THEN 2 WHEN 'email' THEN 2 ELSE 5 END)
            + 8 * (CASE WHEN new.resolved_at IS NULL THEN 0 ELSE (CASE new.timeliness WHEN 'early' THEN 1 WHEN 'on-time' THEN 2 WHEN 'late' THEN (CASE WHEN new.apologised_at IS NULL THEN 3 ELSE 4 END) ELSE 5 END) END)
            + 1024 * (new.state = 'withdrawn' AND new.closed_at IS NOT NULL), 1
    FROM report_rollup r, (VALUES ('all', 'all'), ('department', coalesce(new.department, '-')), ('service', new.service), ('channel', new.channel), ('staff', coalesce(new.holder, '-'))) g
    WHERE true
    ON CONFLICT (kind, day, key, code) DO UPDATE SET tickets = tickets + 1;
    UPDATE report_rollup SET longest_life = max(longest_life, max(coalesce(new.resolved_at, new.closed_at), coalesce(new.closed_at, new.resolved_at)) - new.accepted_at);
END;

CREATE TRIGGER progress_rollup_delete AFTER DELETE ON ticket
WHEN old.accepted_at IS NOT NULL AND (old.resolved_at IS NOT NULL OR old.closed_at IS NOT NULL) AND coalesce(old.resolved_at >= old.accepted_at, 1) AND coalesce(old.closed_at >= old.accepted_at, 1) AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    UPDATE progress_rollup SET tickets = tickets - 1 WHERE (kind, day, key, code) IN (SELECT column1, (old.accepted_at + (SELECT utc_offset FROM report_rollup)) / 86400, column2,
        (CASE old.channel WHEN 'counter' THEN 1 WHEN 'post' THEN 3 WHEN 'hotline' THEN 4 WHEN 'web' THEN 2 WHEN 'mobile' THEN 2 WHEN 'open311' THEN 2 WHEN 'email' THEN 2 ELSE 5 END)
            + 8 * (CASE WHEN old.resolved_at IS NULL THEN 0 ELSE (CASE old.timeliness WHEN 'early' THEN 1 WHEN 'on-time' THEN 2 WHEN 'late' THEN (CASE WHEN old.apologised_at IS NULL THEN 3 ELSE 4 END) ELSE 5 END) END)
            + 1024 * (old.state = 'withdrawn' AND old.closed_at IS NOT NULL) FROM (VALUES ('all', 'all'), ('department', coalesce(old.department, '-')), ('service', old.service), ('channel', old.channel), ('staff', coalesce(old.holder, '-'))));
    DELETE FROM progress_rollup WHERE tickets <= 0 AND (kind, day, key, code) IN (SELECT column1, (old.accepted_at + (SELECT utc_offset FROM report_rollup)) / 86400, column2,
        (CASE old.channel WHEN 'counter' THEN 1 WHEN 'post' THEN 3 WHEN 'hotline' THEN 4 WHEN 'web' THEN 2 WHEN 'mobile' THEN 2 WHEN 'open311' THEN 2 WHEN 'email' THEN 2 ELSE 5 END)
            + 8 * (CASE WHEN old.resolved_at IS NULL THEN 0 ELSE (CASE old.timeliness WHEN 'early' THEN 1 WHEN 'on-time' THEN 2 WHEN 'late' THEN (CASE WHEN old.apologised_at IS NULL THEN 3 ELSE 4 END) ELSE 5 END) END)
            + 1024 * (old.state = 'withdrawn' AND old.closed_at IS NOT NULL) FROM (VALUES ('all', 'all'), ('department', coalesce(old.department, '-')), ('service', old.service), ('channel', old.channel), ('staff', coalesce(old.holder, '-'))));
END;
