-- Satisfaction rollups (issue 17; docs/reports.md, satisfaction): per local day of the return of
-- the result and per group — all tickets, a department, a service, a channel, a holder — how many
-- returned tickets have each rating (0 not rated, 1 very satisfied, 2 satisfied, 3 dissatisfied).
-- A ticket is counted on the day it was returned, whatever comes later, so a period of whole
-- local days is the sum of its days: a report over the whole history reads a row per day, group
-- and rating instead of a row per ticket (a million over the seeded history).
--
-- Kept by the triggers below, like those of 0026 and 0027, at the offset in report_rollup
-- (nothing until ServiceDesk builds them). A migration that rebuilds ticket must create them again.
-- Not built at any offset: ServiceDesk counts all the rollups afresh, these with them.
UPDATE report_rollup SET utc_offset = NULL;

CREATE TABLE satisfaction_rollup (
    kind TEXT NOT NULL,                              -- all, department, service, channel, staff
    day INTEGER NOT NULL,                            -- local day of returned_at, since 1970-01-01
    key TEXT NOT NULL,                               -- 'all', or the group's code ('-' for none)
    rating INTEGER NOT NULL,                         -- 0 not rated, 1 very satisfied, 2 satisfied, 3 dissatisfied
    tickets INTEGER NOT NULL,
    PRIMARY KEY (kind, day, key, rating)
) WITHOUT ROWID;

CREATE TRIGGER satisfaction_rollup_insert AFTER INSERT ON ticket
WHEN new.returned_at IS NOT NULL AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    INSERT INTO satisfaction_rollup (kind, day, key, rating, tickets)
    SELECT g.column1, (new.returned_at + r.utc_offset) / 86400, g.column2, (CASE new.rating WHEN 'very-satisfied' THEN 1 WHEN 'satisfied' THEN 2 WHEN 'dissatisfied' THEN 3 ELSE 0 END), 1
    FROM report_rollup r, (VALUES ('all', 'all'), ('department', coalesce(new.department, '-')), ('service', new.service), ('channel', new.channel), ('staff', coalesce(new.holder, '-'))) g
    WHERE true
    ON CONFLICT (kind, day, key, rating) DO UPDATE SET tickets = tickets + 1;
END;

CREATE TRIGGER satisfaction_rollup_update_old AFTER UPDATE OF returned_at, rating, department, service, channel, holder ON ticket
WHEN old.returned_at IS NOT NULL AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
    AND (old.returned_at IS NOT new.returned_at OR old.rating IS NOT new.rating OR old.department IS NOT new.department OR old.service IS NOT new.service OR old.channel IS NOT new.channel OR old.holder IS NOT new.holder)
BEGIN
    UPDATE satisfaction_rollup SET tickets = tickets - 1 WHERE (kind, day, key, rating) IN (SELECT column1, (old.returned_at + (SELECT utc_offset FROM report_rollup)) / 86400, column2, (CASE old.rating WHEN 'very-satisfied' THEN 1 WHEN 'satisfied' THEN 2 WHEN 'dissatisfied' THEN 3 ELSE 0 END) FROM (VALUES ('all', 'all'), ('department', coalesce(old.department, '-')), ('service', old.service), ('channel', old.channel), ('staff', coalesce(old.holder, '-'))));
    DELETE FROM satisfaction_rollup WHERE tickets <= 0 AND (kind, day, key, rating) IN (SELECT column1, (old.returned_at + (SELECT utc_offset FROM report_rollup)) / 86400, column2, (CASE old.rating WHEN 'very-satisfied' THEN 1 WHEN 'satisfied' THEN 2 WHEN 'dissatisfied' THEN 3 ELSE 0 END) FROM (VALUES ('all', 'all'), ('department', coalesce(old.department, '-')), ('service', old.service), ('channel', old.channel), ('staff', coalesce(old.holder, '-'))));
END;

CREATE TRIGGER satisfaction_rollup_update_new AFTER UPDATE OF returned_at, rating, department, service, channel, holder ON ticket
WHEN new.returned_at IS NOT NULL AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
    AND (old.returned_at IS NOT new.returned_at OR old.rating IS NOT new.rating OR old.department IS NOT new.department OR old.service IS NOT new.service OR old.channel IS NOT new.channel OR old.holder IS NOT new.holder)
BEGIN
    INSERT INTO satisfaction_rollup (kind, day, key, rating, tickets)
    SELECT g.column1, (new.returned_at + r.utc_offset) / 86400, g.column2, (CASE new.rating WHEN 'very-satisfied' THEN 1 WHEN 'satisfied' THEN 2 WHEN 'dissatisfied' THEN 3 ELSE 0 END), 1
    FROM report_rollup r, (VALUES ('all', 'all'), ('department', coalesce(new.department, '-')), ('service', new.service), ('channel', new.channel), ('staff', coalesce(new.holder, '-'))) g
    WHERE true
    ON CONFLICT (kind, day, key, rating) DO UPDATE SET tickets = tickets + 1;
END;

CREATE TRIGGER satisfaction_rollup_delete AFTER DELETE ON ticket
WHEN old.returned_at IS NOT NULL AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    UPDATE satisfaction_rollup SET tickets = tickets - 1 WHERE (kind, day, key, rating) IN (SELECT column1, (old.returned_at + (SELECT utc_offset FROM report_rollup)) / 86400, column2, (CASE old.rating WHEN 'very-satisfied' THEN 1 WHEN 'satisfied' THEN 2 WHEN 'dissatisfied' THEN 3 ELSE 0 END) FROM (VALUES ('all', 'all'), ('department', coalesce(old.department, '-')), ('service', old.service), ('channel', old.channel), ('staff', coalesce(old.holder, '-'))));
    DELETE FROM satisfaction_rollup WHERE tickets <= 0 AND (kind, day, key, rating) IN (SELECT column1, (old.returned_at + (SELECT utc_offset FROM report_rollup)) / 86400, column2, (CASE old.rating WHEN 'very-satisfied' THEN 1 WHEN 'satisfied' THEN 2 WHEN 'dissatisfied' THEN 3 ELSE 0 END) FROM (VALUES ('all', 'all'), ('department', coalesce(old.department, '-')), ('service', old.service), ('channel', old.channel), ('staff', coalesce(old.holder, '-'))));
END;
