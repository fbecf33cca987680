-- Report rollups (issue 17; docs/reports.md): handling-times over a whole history reads a row per
-- day and group instead of a row per ticket. Per local day of the resolution and per group — all
-- tickets, a department, a service, a channel, a holder — the count, the paused minutes and the
-- multisets of the working and calendar minutes (blobs: each value with its count, CountedValues);
-- per day and department the route steps' minutes queued and worked. Exact: nearest ranks of merged
-- multisets are those of the raw rows, which `exact=true` still reads.
--
-- Kept by the triggers below, on every write by any path (actions, calendar replays, seeding,
-- copies); the functions desk_counted_add and desk_counted_merge are ServiceDesk's, registered on
-- each of its connections — a write to a ticket from a shell without them fails (and changes
-- nothing) once the rollups are built. Days are counted at the UTC offset in report_rollup: NULL
-- until ServiceDesk builds them from the tickets (its first start or report on this schema, and
-- again whenever the centre's offset is not this one); until then the triggers do nothing.
-- A migration that rebuilds ticket or ticket_step must create these triggers again.
CREATE TABLE report_rollup (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    utc_offset INTEGER                               -- seconds east of UTC; NULL: not built
);
INSERT INTO report_rollup (id, utc_offset) VALUES (1, NULL);

CREATE TABLE handling_rollup (
    kind TEXT NOT NULL,                              -- all, department, service, channel, staff
    day INTEGER NOT NULL,                            -- local day of resolved_at, since 1970-01-01
    key TEXT NOT NULL,                               -- 'all', or the group's code ('-' for none)
    resolved INTEGER NOT NULL,
    paused INTEGER NOT NULL,                         -- sum of paused_minutes
    working BLOB NOT NULL,                           -- handling_working_minutes, counted
    calendar BLOB NOT NULL,                          -- calendar minutes, counted
    PRIMARY KEY (kind, day, key)
) WITHOUT ROWID;

CREATE TABLE step_rollup (
    day INTEGER NOT NULL,                            -- local day of the ticket's resolution
    department TEXT NOT NULL,
    steps INTEGER NOT NULL,
    queued BLOB NOT NULL,                            -- minutes entered → claimed (or left)
    worked BLOB NOT NULL,                            -- minutes claimed → left, of claimed steps
    PRIMARY KEY (day, department)
) WITHOUT ROWID;

CREATE TRIGGER handling_rollup_insert AFTER INSERT ON ticket
WHEN new.resolved_at IS NOT NULL AND new.handling_working_minutes IS NOT NULL AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    INSERT INTO handling_rollup (kind, day, key, resolved, paused, working, calendar)
    SELECT g.column1, (new.resolved_at + r.utc_offset) / 86400, g.column2, 1, coalesce(new.paused_minutes, 0),
        desk_counted_add(NULL, new.handling_working_minutes, 1), desk_counted_add(NULL, coalesce(new.handling_calendar_minutes, (new.resolved_at - coalesce(new.accepted_at, new.received_at)) / 60), 1)
    FROM report_rollup r, (VALUES ('all', 'all'), ('department', coalesce(new.department, '-')), ('service', new.service), ('channel', new.channel), ('staff', coalesce(new.holder, '-'))) g
    WHERE true
    ON CONFLICT (kind, day, key) DO UPDATE SET resolved = resolved + 1, paused = paused + excluded.paused,
        working = desk_counted_merge(working, excluded.working), calendar = desk_counted_merge(calendar, excluded.calendar);
END;

CREATE TRIGGER handling_rollup_update_old AFTER UPDATE OF resolved_at, handling_working_minutes, handling_calendar_minutes, paused_minutes, accepted_at, received_at, department, service, channel, holder ON ticket
WHEN old.resolved_at IS NOT NULL AND old.handling_working_minutes IS NOT NULL AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
    AND (old.resolved_at IS NOT new.resolved_at OR old.handling_working_minutes IS NOT new.handling_working_minutes OR old.handling_calendar_minutes IS NOT new.handling_calendar_minutes OR old.paused_minutes IS NOT new.paused_minutes OR old.accepted_at IS NOT new.accepted_at OR old.received_at IS NOT new.received_at OR old.department IS NOT new.department OR old.service IS NOT new.service OR old.channel IS NOT new.channel OR old.holder IS NOT new.holder)
BEGIN
    UPDATE handling_rollup SET resolved = resolved - 1, paused = paused - coalesce(old.paused_minutes, 0),
        working = desk_counted_add(working, old.handling_working_minutes, -1), calendar = desk_counted_add(calendar, coalesce(old.handling_calendar_minutes, (old.resolved_at - coalesce(old.accepted_at, old.received_at)) / 60), -1)
    WHERE (kind, day, key) IN (SELECT column1, (old.resolved_at + (SELECT utc_offset FROM report_rollup)) / 86400, column2 FROM (VALUES ('all', 'all'), ('department', coalesce(old.department, '-')), ('service', old.service), ('channel', old.channel), ('staff', coalesce(old.holder, '-'))));
    DELETE FROM handling_rollup WHERE resolved <= 0 AND (kind, day, key) IN (SELECT column1, (old.resolved_at + (SELECT utc_offset FROM report_rollup)) / 86400, column2 FROM (VALUES ('all', 'all'), ('department', coalesce(old.department, '-')), ('service', old.service), ('channel', old.channel), ('staff', coalesce(old.holder, '-'))));
END;

CREATE TRIGGER handling_rollup_update_new AFTER UPDATE OF resolved_at, handling_working_minutes, handling_calendar_minutes, paused_minutes, accepted_at, received_at, department, service, channel, holder ON ticket
WHEN new.resolved_at IS NOT NULL AND new.handling_working_minutes IS NOT NULL AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
    AND (old.resolved_at IS NOT new.resolved_at OR old.handling_working_minutes IS NOT new.handling_working_minutes OR old.handling_calendar_minutes IS NOT new.handling_calendar_minutes OR old.paused_minutes IS NOT new.paused_minutes OR old.accepted_at IS NOT new.accepted_at OR old.received_at IS NOT new.received_at OR old.department IS NOT new.department OR old.service IS NOT new.service OR old.channel IS NOT new.channel OR old.holder IS NOT new.holder)
BEGIN
    INSERT INTO handling_rollup (kind, day, key, resolved, paused, working, calendar)
    SELECT g.column1, (new.resolved_at + r.utc_offset) / 86400, g.column2, 1, coalesce(new.paused_minutes, 0),
        desk_counted_add(NULL, new.handling_working_minutes, 1), desk_counted_add(NULL, coalesce(new.handling_calendar_minutes, (new.resolved_at - coalesce(new.accepted_at, new.received_at)) / 60), 1)
    FROM report_rollup r, (VALUES ('all', 'all'), ('department', coalesce(new.department, '-')), ('service', new.service), ('channel', new.channel), ('staff', coalesce(new.holder, '-'))) g
    WHERE true
    ON CONFLICT (kind, day, key) DO UPDATE SET resolved = resolved + 1, paused = paused + excluded.paused,
        working = desk_counted_merge(working, excluded.working), calendar = desk_counted_merge(calendar, excluded.calendar);
END;

CREATE TRIGGER handling_rollup_delete AFTER DELETE ON ticket
WHEN old.resolved_at IS NOT NULL AND old.handling_working_minutes IS NOT NULL AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    UPDATE handling_rollup SET resolved = resolved - 1, paused = paused - coalesce(old.paused_minutes, 0),
        working = desk_counted_add(working, old.handling_working_minutes, -1), calendar = desk_counted_add(calendar, coalesce(old.handling_calendar_minutes, (old.resolved_at - coalesce(old.accepted_at, old.received_at)) / 60), -1)
    WHERE (kind, day, key) IN (SELECT column1, (old.resolved_at + (SELECT utc_offset FROM report_rollup)) / 86400, column2 FROM (VALUES ('all', 'all'), ('department', coalesce(old.department, '-')), ('service', old.service), ('channel', old.channel), ('staff', coalesce(old.holder, '-'))));
    DELETE FROM handling_rollup WHERE resolved <= 0 AND (kind, day, key) IN (SELECT column1, (old.resolved_at + (SELECT utc_offset FROM report_rollup)) / 86400, column2 FROM (VALUES ('all', 'all'), ('department', coalesce(old.department, '-')), ('service', old.service), ('channel', old.channel), ('staff', coalesce(old.holder, '-'))));
END;

CREATE TRIGGER step_rollup_insert AFTER INSERT ON ticket_step
WHEN new.ticket_resolved_at IS NOT NULL AND new.left_at IS NOT NULL AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    INSERT INTO step_rollup (day, department, steps, queued, worked)
    SELECT (new.ticket_resolved_at + r.utc_offset) / 86400, new.department, 1,
        desk_counted_add(NULL, max(0, (coalesce(new.claimed_at, new.left_at) - new.entered_at) / 60), 1), desk_counted_add(NULL, max(0, (new.left_at - new.claimed_at) / 60), 1)
    FROM report_rollup r
    WHERE true
    ON CONFLICT (day, department) DO UPDATE SET steps = steps + 1,
        queued = desk_counted_merge(queued, excluded.queued), worked = desk_counted_merge(worked, excluded.worked);
END;

CREATE TRIGGER step_rollup_update_old AFTER UPDATE OF ticket_resolved_at, left_at, claimed_at, entered_at, department ON ticket_step
WHEN old.ticket_resolved_at IS NOT NULL AND old.left_at IS NOT NULL AND (SELECT utc_offset FROM report_rollup) IS NOT NULL AND (old.ticket_resolved_at IS NOT new.ticket_resolved_at OR old.left_at IS NOT new.left_at OR old.claimed_at IS NOT new.claimed_at OR old.entered_at IS NOT new.entered_at OR old.department IS NOT new.department)
BEGIN
    UPDATE step_rollup SET steps = steps - 1, queued = desk_counted_add(queued, max(0, (coalesce(old.claimed_at, old.left_at) - old.entered_at) / 60), -1), worked = desk_counted_add(worked, max(0, (old.left_at - old.claimed_at) / 60), -1)
    WHERE day = (old.ticket_resolved_at + (SELECT utc_offset FROM report_rollup)) / 86400 AND department = old.department;
    DELETE FROM step_rollup WHERE steps <= 0 AND day = (old.ticket_resolved_at + (SELECT utc_offset FROM report_rollup)) / 86400 AND department = old.department;
END;

CREATE TRIGGER step_rollup_update_new AFTER UPDATE OF ticket_resolved_at, left_at, claimed_at, entered_at, department ON ticket_step
WHEN new.ticket_resolved_at IS NOT NULL AND new.left_at IS NOT NULL AND (SELECT utc_offset FROM report_rollup) IS NOT NULL AND (old.ticket_resolved_at IS NOT new.ticket_resolved_at OR old.left_at IS NOT new.left_at OR old.claimed_at IS NOT new.claimed_at OR old.entered_at IS NOT new.entered_at OR old.department IS NOT new.department)
BEGIN
    INSERT INTO step_rollup (day, department, steps, queued, worked)
    SELECT (new.ticket_resolved_at + r.utc_offset) / 86400, new.department, 1,
        desk_counted_add(NULL, max(0, (coalesce(new.claimed_at, new.left_at) - new.entered_at) / 60), 1), desk_counted_add(NULL, max(0, (new.left_at - new.claimed_at) / 60), 1)
    FROM report_rollup r
    WHERE true
    ON CONFLICT (day, department) DO UPDATE SET steps = steps + 1,
        queued = desk_counted_merge(queued, excluded.queued), worked = desk_counted_merge(worked, excluded.worked);
END;

CREATE TRIGGER step_rollup_delete AFTER DELETE ON ticket_step
WHEN old.ticket_resolved_at IS NOT NULL AND old.left_at IS NOT NULL AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    UPDATE step_rollup SET steps = steps - 1, queued = desk_counted_add(queued, max(0, (coalesce(old.claimed_at, old.left_at) - old.entered_at) / 60), -1), worked = desk_counted_add(worked, max(0, (old.left_at - old.claimed_at) / 60), -1)
    WHERE day = (old.ticket_resolved_at + (SELECT utc_offset FROM report_rollup)) / 86400 AND department = old.department;
    DELETE FROM step_rollup WHERE steps <= 0 AND day = (old.ticket_resolved_at + (SELECT utc_offset FROM report_rollup)) / 86400 AND department = old.department;
END;
