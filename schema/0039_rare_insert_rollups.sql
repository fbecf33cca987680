-- The rollups a row rarely needs at its insert, reached through one small trigger (issue 17;
-- docs/benchmarks.md, "One trigger for what an insert rarely needs").
--
-- SQLite runs every trigger of an INSERT as a sub-program, and its WHEN clause is evaluated
-- inside it: a trigger whose WHEN is false still costs a frame as large as its whole body (each
-- register made and released), ~3,000–6,500 instructions (callgrind) for each of the five that
-- 0026, 0027, 0031, 0033 and 0038 attach to a ticket's insert, and ~8,000 for 0026's on a step's.
-- A new ticket — every intake — is open, unreturned, unfiled and (mostly) without charges, so
-- none of those five does anything for it. Here one small trigger tests what they tested and,
-- only when one holds, inserts the row's few columns into a view whose INSTEAD OF trigger holds
-- the five bodies, each behind its own former WHEN as a WHERE: a new ticket pays one small frame.
-- Callgrind, a ticket's INSERT replayed into a bench database: 339,655 → 322,932 instructions;
-- a step's 51,397 → 47,879. A ticket inserted already resolved (seeding, imports) pays a little
-- more (714,360 → 746,720).
-- The bodies are 0026's, 0027's, 0031's, 0038's and 0033's, unchanged; only their WHEN moved.
-- online_ticket_insert (0038) stays as it is: it does work for every new ticket.
DROP TRIGGER handling_rollup_insert;
DROP TRIGGER progress_rollup_insert;
DROP TRIGGER satisfaction_rollup_insert;
DROP TRIGGER online_ticket_insert_filed;
DROP TRIGGER revenue_ticket_insert;

-- The columns the five bodies read; a view on nothing, only ever inserted into (nothing is stored).
CREATE VIEW ticket_insert_settled AS
SELECT code, received_at, accepted_at, resolved_at, closed_at, returned_at, state, channel, department, service, holder,
    timeliness, apologised_at, handling_working_minutes, handling_calendar_minutes, paused_minutes, rating, result_file,
    charge_lines
FROM ticket WHERE false;

-- The five former WHENs joined by OR (their common test of the rollups' offset last).
CREATE TRIGGER ticket_insert_settled AFTER INSERT ON ticket
WHEN (new.resolved_at IS NOT NULL OR new.closed_at IS NOT NULL OR new.returned_at IS NOT NULL OR new.result_file IS NOT NULL
        OR (new.charge_lines > 0 AND new.accepted_at IS NOT NULL))
    AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    INSERT INTO ticket_insert_settled (code, received_at, accepted_at, resolved_at, closed_at, returned_at, state, channel,
        department, service, holder, timeliness, apologised_at, handling_working_minutes, handling_calendar_minutes,
        paused_minutes, rating, result_file, charge_lines)
    VALUES (new.code, new.received_at, new.accepted_at, new.resolved_at, new.closed_at, new.returned_at, new.state, new.channel,
        new.department, new.service, new.holder, new.timeliness, new.apologised_at, new.handling_working_minutes,
        new.handling_calendar_minutes, new.paused_minutes, new.rating, new.result_file, new.charge_lines);
END;

-- The bodies: handling (0026), progress (0027), satisfaction (0031), the filed result (0038), revenue (0033).
CREATE TRIGGER ticket_insert_settled_rollups INSTEAD OF INSERT ON ticket_insert_settled
BEGIN
    INSERT INTO handling_rollup (kind, day, key, resolved, paused, working, calendar)
    SELECT g.column1, (new.resolved_at + r.utc_offset) / 86400, g.column2, 1, coalesce(new.paused_minutes, 0),
        desk_counted_add(NULL, new.handling_working_minutes, 1), desk_counted_add(NULL, coalesce(new.handling_calendar_minutes, (new.resolved_at - coalesce(new.accepted_at, new.received_at)) / 60), 1)
    FROM report_rollup r, (VALUES ('all', 'all'), ('department', coalesce(new.department, '-')), ('service', new.service), ('channel', new.channel), ('staff', coalesce(new.holder, '-'))) g
    WHERE new.resolved_at IS NOT NULL AND new.handling_working_minutes IS NOT NULL
    ON CONFLICT (kind, day, key) DO UPDATE SET resolved = resolved + 1, paused = paused + excluded.paused,
        working = desk_counted_merge(working, excluded.working), calendar = desk_counted_merge(calendar, excluded.calendar);

    INSERT INTO progress_rollup (kind, day, key, code, tickets)
    SELECT g.column1, (new.accepted_at + r.utc_offset) / 86400, g.column2,
        (CASE new.channel WHEN 'counter' THEN 1 WHEN 'post' THEN 3 WHEN 'hotline' THEN 4 WHEN 'web' THEN 2 WHEN 'mobile' THEN 2 WHEN 'open311' THEN 2 WHEN 'email' THEN 2 ELSE 5 END)
            + 8 * (CASE WHEN new.resolved_at IS NULL THEN 0 ELSE (CASE new.timeliness WHEN 'early' THEN 1 WHEN 'on-time' THEN 2 WHEN 'late' THEN (CASE WHEN new.apologised_at IS NULL THEN 3 ELSE 4 END) ELSE 5 END) END)
            + 1024 * (new.state = 'withdrawn' AND new.closed_at IS NOT NULL), 1
    FROM report_rollup r, (VALUES ('all', 'all'), ('department', coalesce(new.department, '-')), ('service', new.service), ('channel', new.channel), ('staff', coalesce(new.holder, '-'))) g
    WHERE new.accepted_at IS NOT NULL AND (new.resolved_at IS NOT NULL OR new.closed_at IS NOT NULL) AND coalesce(new.resolved_at >= new.accepted_at, 1) AND coalesce(new.closed_at >= new.accepted_at, 1)
    ON CONFLICT (kind, day, key, code) DO UPDATE SET tickets = tickets + 1;
    UPDATE report_rollup SET longest_life = max(longest_life, max(coalesce(new.resolved_at, new.closed_at), coalesce(new.closed_at, new.resolved_at)) - new.accepted_at)
    WHERE new.accepted_at IS NOT NULL AND (new.resolved_at IS NOT NULL OR new.closed_at IS NOT NULL) AND coalesce(new.resolved_at >= new.accepted_at, 1) AND coalesce(new.closed_at >= new.accepted_at, 1);

    INSERT INTO satisfaction_rollup (kind, day, key, rating, tickets)
    SELECT g.column1, (new.returned_at + r.utc_offset) / 86400, g.column2, (CASE new.rating WHEN 'very-satisfied' THEN 1 WHEN 'satisfied' THEN 2 WHEN 'dissatisfied' THEN 3 ELSE 0 END), 1
    FROM report_rollup r, (VALUES ('all', 'all'), ('department', coalesce(new.department, '-')), ('service', new.service), ('channel', new.channel), ('staff', coalesce(new.holder, '-'))) g
    WHERE new.returned_at IS NOT NULL
    ON CONFLICT (kind, day, key, rating) DO UPDATE SET tickets = tickets + 1;

    INSERT INTO online_recount (ticket) SELECT new.code WHERE new.result_file IS NOT NULL;
    INSERT INTO revenue_recount (ticket) SELECT new.code WHERE new.charge_lines > 0 AND new.accepted_at IS NOT NULL;
END;

-- The same for a step: 0026's step rollup counts only a step inserted already left, of a resolved
-- ticket (seeding, imports); a new ticket's first step is neither.
DROP TRIGGER step_rollup_insert;

CREATE VIEW ticket_step_insert_settled AS
SELECT department, entered_at, claimed_at, left_at, ticket_resolved_at FROM ticket_step WHERE false;

CREATE TRIGGER ticket_step_insert_settled AFTER INSERT ON ticket_step
WHEN new.ticket_resolved_at IS NOT NULL AND new.left_at IS NOT NULL AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    INSERT INTO ticket_step_insert_settled (department, entered_at, claimed_at, left_at, ticket_resolved_at)
    VALUES (new.department, new.entered_at, new.claimed_at, new.left_at, new.ticket_resolved_at);
END;
CREATE TRIGGER ticket_step_insert_settled_rollup INSTEAD OF INSERT ON ticket_step_insert_settled
BEGIN
    INSERT INTO step_rollup (day, department, steps, queued, worked)
    SELECT (new.ticket_resolved_at + r.utc_offset) / 86400, new.department, 1,
        desk_counted_add(NULL, max(0, (coalesce(new.claimed_at, new.left_at) - new.entered_at) / 60), 1), desk_counted_add(NULL, max(0, (new.left_at - new.claimed_at) / 60), 1)
    FROM report_rollup r
    WHERE true
    ON CONFLICT (day, department) DO UPDATE SET steps = steps + 1,
        queued = desk_counted_merge(queued, excluded.queued), worked = desk_counted_merge(worked, excluded.worked);
END;
