-- Taking a ticket out of the day rollups by their key (issue 17; docs/benchmarks.md, "Rollups
-- taken out by their key"). Migrations 0026, 0027 and 0031 took a ticket's old row out of each
-- group with `(kind, day, key[, code]) IN (SELECT column1, <its day>, column2[, <its code>] FROM
-- (VALUES …))`; SQLite answered that by the first column of the key only, reading every row of a
-- kind — on a million tickets 15–17 ms of the single writer for a rating and 45–48 ms for a
-- return. The same statements with the day (and the progress code or rating), which do not
-- depend on the group, taken out of the row value — `day = … [AND code = …] AND (kind, key) IN
-- (SELECT column1, column2 FROM (VALUES …))` — are answered by the whole key, a lookup per group.
-- The same rows are touched; only the triggers that take a ticket out change (after an update and
-- after a delete), each dropped and created again.

DROP TRIGGER handling_rollup_update_old;
CREATE TRIGGER handling_rollup_update_old AFTER UPDATE OF resolved_at, handling_working_minutes, handling_calendar_minutes, paused_minutes, accepted_at, received_at, department, service, channel, holder ON ticket
WHEN old.resolved_at IS NOT NULL AND old.handling_working_minutes IS NOT NULL AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
    AND (old.resolved_at IS NOT new.resolved_at OR old.handling_working_minutes IS NOT new.handling_working_minutes OR old.handling_calendar_minutes IS NOT new.handling_calendar_minutes OR old.paused_minutes IS NOT new.paused_minutes OR old.accepted_at IS NOT new.accepted_at OR old.received_at IS NOT new.received_at OR old.department IS NOT new.department OR old.service IS NOT new.service OR old.channel IS NOT new.channel OR old.holder IS NOT new.holder)
BEGIN
    UPDATE handling_rollup SET resolved = resolved - 1, paused = paused - coalesce(old.paused_minutes, 0),
        working = desk_counted_add(working, old.handling_working_minutes, -1), calendar = desk_counted_add(calendar, coalesce(old.handling_calendar_minutes, (old.resolved_at - coalesce(old.accepted_at, old.received_at)) / 60), -1)
    WHERE day = (old.resolved_at + (SELECT utc_offset FROM report_rollup)) / 86400 AND (kind, key) IN (SELECT column1, column2 FROM (VALUES ('all', 'all'), ('department', coalesce(old.department, '-')), ('service', old.service), ('channel', old.channel), ('staff', coalesce(old.holder, '-'))));
    DELETE FROM handling_rollup WHERE resolved <= 0 AND day = (old.resolved_at + (SELECT utc_offset FROM report_rollup)) / 86400 AND (kind, key) IN (SELECT column1, column2 FROM (VALUES ('all', 'all'), ('department', coalesce(old.department, '-')), ('service', old.service), ('channel', old.channel), ('staff', coalesce(old.holder, '-'))));
END;

DROP TRIGGER handling_rollup_delete;
CREATE TRIGGER handling_rollup_delete AFTER DELETE ON ticket
WHEN old.resolved_at IS NOT NULL AND old.handling_working_minutes IS NOT NULL AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    UPDATE handling_rollup SET resolved = resolved - 1, paused = paused - coalesce(old.paused_minutes, 0),
        working = desk_counted_add(working, old.handling_working_minutes, -1), calendar = desk_counted_add(calendar, coalesce(old.handling_calendar_minutes, (old.resolved_at - coalesce(old.accepted_at, old.received_at)) / 60), -1)
    WHERE day = (old.resolved_at + (SELECT utc_offset FROM report_rollup)) / 86400 AND (kind, key) IN (SELECT column1, column2 FROM (VALUES ('all', 'all'), ('department', coalesce(old.department, '-')), ('service', old.service), ('channel', old.channel), ('staff', coalesce(old.holder, '-'))));
    DELETE FROM handling_rollup WHERE resolved <= 0 AND day = (old.resolved_at + (SELECT utc_offset FROM report_rollup)) / 86400 AND (kind, key) IN (SELECT column1, column2 FROM (VALUES ('all', 'all'), ('department', coalesce(old.department, '-')), ('service', old.service), ('channel', old.channel), ('staff', coalesce(old.holder, '-'))));
END;

DROP TRIGGER progress_rollup_update_old;
CREATE TRIGGER progress_rollup_update_old AFTER UPDATE OF accepted_at, resolved_at, closed_at, channel, timeliness, apologised_at, state, department, service, holder ON ticket
WHEN old.accepted_at IS NOT NULL AND (old.resolved_at IS NOT NULL OR old.closed_at IS NOT NULL) AND coalesce(old.resolved_at >= old.accepted_at, 1) AND coalesce(old.closed_at >= old.accepted_at, 1) AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
    AND (old.accepted_at IS NOT new.accepted_at OR old.resolved_at IS NOT new.resolved_at OR old.closed_at IS NOT new.closed_at OR old.channel IS NOT new.channel OR old.timeliness IS NOT new.timeliness OR old.apologised_at IS NOT new.apologised_at OR old.state IS NOT new.state OR old.department IS NOT new.department OR old.service IS NOT new.service OR old.holder IS NOT new.holder)
BEGIN
    UPDATE progress_rollup SET tickets = tickets - 1 WHERE day = (old.accepted_at + (SELECT utc_offset FROM report_rollup)) / 86400 AND code = ((CASE old.channel WHEN 'counter' THEN 1 WHEN 'post' THEN 3 WHEN 'hotline' THEN 4 WHEN 'web' THEN 2 WHEN 'mobile' THEN 2 WHEN 'open311' THEN 2 WHEN 'email' THEN 2 ELSE 5 END) + 8 * (CASE WHEN old.resolved_at IS NULL THEN 0 ELSE (CASE old.timeliness WHEN 'early' THEN 1 WHEN 'on-time' THEN 2 WHEN 'late' THEN (CASE WHEN old.apologised_at IS NULL THEN 3 ELSE 4 END) ELSE 5 END) END) + 1024 * (old.state = 'withdrawn' AND old.closed_at IS NOT NULL)) AND (kind, key) IN (SELECT column1, column2 FROM (VALUES ('all', 'all'), ('department', coalesce(old.department, '-')), ('service', old.service), ('channel', old.channel), ('staff', coalesce(old.holder, '-'))));
    DELETE FROM progress_rollup WHERE tickets <= 0 AND day = (old.accepted_at + (SELECT utc_offset FROM report_rollup)) / 86400 AND code = ((CASE old.channel WHEN 'counter' THEN 1 WHEN 'post' THEN 3 WHEN 'hotline' THEN 4 WHEN 'web' THEN 2 WHEN 'mobile' THEN 2 WHEN 'open311' THEN 2 WHEN 'email' THEN 2 ELSE 5 END) + 8 * (CASE WHEN old.resolved_at IS NULL THEN 0 ELSE (CASE old.timeliness WHEN 'early' THEN 1 WHEN 'on-time' THEN 2 WHEN 'late' THEN (CASE WHEN old.apologised_at IS NULL THEN 3 ELSE 4 END) ELSE 5 END) END) + 1024 * (old.state = 'withdrawn' AND old.closed_at IS NOT NULL)) AND (kind, key) IN (SELECT column1, column2 FROM (VALUES ('all', 'all'), ('department', coalesce(old.department, '-')), ('service', old.service), ('channel', old.channel), ('staff', coalesce(old.holder, '-'))));
END;

DROP TRIGGER progress_rollup_delete;
CREATE TRIGGER progress_rollup_delete AFTER DELETE ON ticket
WHEN old.accepted_at IS NOT NULL AND (old.resolved_at IS NOT NULL OR old.closed_at IS NOT NULL) AND coalesce(old.resolved_at >= old.accepted_at, 1) AND coalesce(old.closed_at >= old.accepted_at, 1) AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    UPDATE progress_rollup SET tickets = tickets - 1 WHERE day = (old.accepted_at + (SELECT utc_offset FROM report_rollup)) / 86400 AND code = ((CASE old.channel WHEN 'counter' THEN 1 WHEN 'post' THEN 3 WHEN 'hotline' THEN 4 WHEN 'web' THEN 2 WHEN 'mobile' THEN 2 WHEN 'open311' THEN 2 WHEN 'email' THEN 2 ELSE 5 END) + 8 * (CASE WHEN old.resolved_at IS NULL THEN 0 ELSE (CASE old.timeliness WHEN 'early' THEN 1 WHEN 'on-time' THEN 2 WHEN 'late' THEN (CASE WHEN old.apologised_at IS NULL THEN 3 ELSE 4 END) ELSE 5 END) END) + 1024 * (old.state = 'withdrawn' AND old.closed_at IS NOT NULL)) AND (kind, key) IN (SELECT column1, column2 FROM (VALUES ('all', 'all'), ('department', coalesce(old.department, '-')), ('service', old.service), ('channel', old.channel), ('staff', coalesce(old.holder, '-'))));
    DELETE FROM progress_rollup WHERE tickets <= 0 AND day = (old.accepted_at + (SELECT utc_offset FROM report_rollup)) / 86400 AND code = ((CASE old.channel WHEN 'counter' THEN 1 WHEN 'post' THEN 3 WHEN 'hotline' THEN 4 WHEN 'web' THEN 2 WHEN 'mobile' THEN 2 WHEN 'open311' THEN 2 WHEN 'email' THEN 2 ELSE 5 END) + 8 * (CASE WHEN old.resolved_at IS NULL THEN 0 ELSE (CASE old.timeliness WHEN 'early' THEN 1 WHEN 'on-time' THEN 2 WHEN 'late' THEN (CASE WHEN old.apologised_at IS NULL THEN 3 ELSE 4 END) ELSE 5 END) END) + 1024 * (old.state = 'withdrawn' AND old.closed_at IS NOT NULL)) AND (kind, key) IN (SELECT column1, column2 FROM (VALUES ('all', 'all'), ('department', coalesce(old.department, '-')), ('service', old.service), ('channel', old.channel), ('staff', coalesce(old.holder, '-'))));
END;

DROP TRIGGER satisfaction_rollup_update_old;
CREATE TRIGGER satisfaction_rollup_update_old AFTER UPDATE OF returned_at, rating, department, service, channel, holder ON ticket
WHEN old.returned_at IS NOT NULL AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
    AND (old.returned_at IS NOT new.returned_at OR old.rating IS NOT new.rating OR old.department IS NOT new.department OR old.service IS NOT new.service OR old.channel IS NOT new.channel OR old.holder IS NOT new.holder)
BEGIN
    UPDATE satisfaction_rollup SET tickets = tickets - 1 WHERE day = (old.returned_at + (SELECT utc_offset FROM report_rollup)) / 86400 AND rating = ((CASE old.rating WHEN 'very-satisfied' THEN 1 WHEN 'satisfied' THEN 2 WHEN 'dissatisfied' THEN 3 ELSE 0 END)) AND (kind, key) IN (SELECT column1, column2 FROM (VALUES ('all', 'all'), ('department', coalesce(old.department, '-')), ('service', old.service), ('channel', old.channel), ('staff', coalesce(old.holder, '-'))));
    DELETE FROM satisfaction_rollup WHERE tickets <= 0 AND day = (old.returned_at + (SELECT utc_offset FROM report_rollup)) / 86400 AND rating = ((CASE old.rating WHEN 'very-satisfied' THEN 1 WHEN 'satisfied' THEN 2 WHEN 'dissatisfied' THEN 3 ELSE 0 END)) AND (kind, key) IN (SELECT column1, column2 FROM (VALUES ('all', 'all'), ('department', coalesce(old.department, '-')), ('service', old.service), ('channel', old.channel), ('staff', coalesce(old.holder, '-'))));
END;

DROP TRIGGER satisfaction_rollup_delete;
CREATE TRIGGER satisfaction_rollup_delete AFTER DELETE ON ticket
WHEN old.returned_at IS NOT NULL AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    UPDATE satisfaction_rollup SET tickets = tickets - 1 WHERE day = (old.returned_at + (SELECT utc_offset FROM report_rollup)) / 86400 AND rating = ((CASE old.rating WHEN 'very-satisfied' THEN 1 WHEN 'satisfied' THEN 2 WHEN 'dissatisfied' THEN 3 ELSE 0 END)) AND (kind, key) IN (SELECT column1, column2 FROM (VALUES ('all', 'all'), ('department', coalesce(old.department, '-')), ('service', old.service), ('channel', old.channel), ('staff', coalesce(old.holder, '-'))));
    DELETE FROM satisfaction_rollup WHERE tickets <= 0 AND day = (old.returned_at + (SELECT utc_offset FROM report_rollup)) / 86400 AND rating = ((CASE old.rating WHEN 'very-satisfied' THEN 1 WHEN 'satisfied' THEN 2 WHEN 'dissatisfied' THEN 3 ELSE 0 END)) AND (kind, key) IN (SELECT column1, column2 FROM (VALUES ('all', 'all'), ('department', coalesce(old.department, '-')), ('service', old.service), ('channel', old.channel), ('staff', coalesce(old.holder, '-'))));
END;
