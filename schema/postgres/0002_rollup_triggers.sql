-- The report rollups kept on PostgreSQL (issue 18; docs/postgresql.md, "The report rollups"): the
-- triggers of the SQLite migrations 0026, 0027, 0031, 0032, 0033 and 0034 — every write to a
-- ticket, a route step, an online reception, a payment, the portal's acknowledgement or a result
-- file counts its ticket again, by any connection — and the rebuild ServiceDesk runs when the
-- rollups are not counted at the centre's offset (AppDatabase.rebuildRollups), as one function.
--
-- What differs from SQLite, and why:
--   * The multisets of minutes (SQLite: a blob per day and group, CountedValues, merged by
--     ServiceDesk's own SQL functions registered on each connection) are rows here: a count per
--     day, group, measure and value in handling_minutes and step_minutes. A blob of varints
--     rewritten by PL/pgSQL on every resolution would cost milliseconds per ticket; a row per value
--     is one upsert, and the same nearest ranks come out of `sum(times) GROUP BY minutes`.
--     `deskcli db copy` decodes the file's blobs into these rows and compares them.
--   * A trigger's WHEN cannot read a table in PostgreSQL: whether the rollups are built (an offset
--     in report_rollup) is asked in the function. SQLite's trigger-only views with INSTEAD OF
--     triggers (online_recount, revenue_count, revenue_recount) are plain functions.
--   * Sums stay bigint: where SQLite's `+` turns to a real number past 2^63, PostgreSQL refuses the
--     write. Amounts are bounded at write (docs/reports.md), far below.
--   * Several instances write at once: a day's `all` row is written by every resolution of that
--     day, so concurrent resolutions wait for each other's commit on it (as every write waits for
--     the single writer on SQLite); a ticket counted again from its facts is locked first; the
--     rebuild locks the tables it counts.
-- Days are local days at report_rollup.utc_offset, as in SQLite; NULL: not built, the triggers do
-- nothing. (0001_model.sql's header still says these triggers are not here yet: a landed migration
-- is not edited.)

ALTER TABLE handling_rollup DROP COLUMN working, DROP COLUMN calendar;
ALTER TABLE step_rollup DROP COLUMN queued, DROP COLUMN worked;

CREATE TABLE handling_minutes (
    kind text NOT NULL,                              -- as handling_rollup
    day bigint NOT NULL,
    key text NOT NULL,
    measure text NOT NULL CHECK (measure IN ('working', 'calendar')),
    minutes bigint NOT NULL,                         -- working: handling_working_minutes; calendar: its calendar minutes
    times bigint NOT NULL,                           -- how many of the day's and group's tickets took so long
    PRIMARY KEY (kind, day, key, measure, minutes)
);

CREATE TABLE step_minutes (
    day bigint NOT NULL,                             -- as step_rollup
    department text NOT NULL,
    measure text NOT NULL CHECK (measure IN ('queued', 'worked')),
    minutes bigint NOT NULL,                         -- queued: entered → claimed (or left); worked: claimed → left
    times bigint NOT NULL,
    PRIMARY KEY (day, department, measure, minutes)
);

-- The five groups a ticket is counted in.
CREATE FUNCTION desk_rollup_groups(department text, service text, channel text, holder text)
    RETURNS TABLE (kind text, key text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ VALUES ('all', 'all'), ('department', coalesce($1, '-')), ('service', $2), ('channel', $3), ('staff', coalesce($4, '-')) $$;

-- The offset the rollups are counted at; NULL when they are not built.
CREATE FUNCTION desk_rollup_offset() RETURNS bigint
    LANGUAGE sql
    AS $$ SELECT utc_offset FROM report_rollup WHERE id = 1 $$;

-- The progress code an ended ticket is counted with (0027; AppDatabase.rolledUpCodes).
CREATE FUNCTION desk_progress_code(channel text, resolved_at bigint, timeliness text, apologised_at bigint, state text, closed_at bigint)
    RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (CASE $1 WHEN 'counter' THEN 1 WHEN 'post' THEN 3 WHEN 'hotline' THEN 4 WHEN 'web' THEN 2 WHEN 'mobile' THEN 2
            WHEN 'open311' THEN 2 WHEN 'email' THEN 2 ELSE 5 END)
        + 8 * (CASE WHEN $2 IS NULL THEN 0 ELSE (CASE $3 WHEN 'early' THEN 1 WHEN 'on-time' THEN 2
            WHEN 'late' THEN (CASE WHEN $4 IS NULL THEN 3 ELSE 4 END) ELSE 5 END) END)
        + 1024 * (CASE WHEN $5 = 'withdrawn' AND $6 IS NOT NULL THEN 1 ELSE 0 END)::bigint $$;

-- The rating code (0031; AppDatabase.ratingCodeSQL).
CREATE FUNCTION desk_rating_code(rating text) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (CASE $1 WHEN 'very-satisfied' THEN 1 WHEN 'satisfied' THEN 2 WHEN 'dissatisfied' THEN 3 ELSE 0 END)::bigint $$;

-- A ticket put in (sign 1) or taken out (sign -1) of the handling rollups (0026): when resolved
-- with its working minutes, each group's count and paused minutes and one of each of its minutes.
CREATE FUNCTION desk_handling_count(t ticket, sign bigint, at_offset bigint) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    the_day bigint;
BEGIN
    IF t.resolved_at IS NULL OR t.handling_working_minutes IS NULL THEN RETURN; END IF;
    the_day := (t.resolved_at + at_offset) / 86400;
    INSERT INTO handling_rollup AS r (kind, day, key, resolved, paused)
    SELECT g.kind, the_day, g.key, sign, sign * coalesce(t.paused_minutes, 0)
    FROM desk_rollup_groups(t.department, t.service, t.channel, t.holder) g
    ON CONFLICT (kind, day, key) DO UPDATE SET resolved = r.resolved + excluded.resolved, paused = r.paused + excluded.paused;
    INSERT INTO handling_minutes AS m (kind, day, key, measure, minutes, times)
    SELECT g.kind, the_day, g.key, v.measure, v.minutes, sign
    FROM desk_rollup_groups(t.department, t.service, t.channel, t.holder) g,
        (VALUES ('working', t.handling_working_minutes),
            ('calendar', coalesce(t.handling_calendar_minutes, (t.resolved_at - coalesce(t.accepted_at, t.received_at)) / 60))) v (measure, minutes)
    WHERE v.minutes IS NOT NULL
    ON CONFLICT (kind, day, key, measure, minutes) DO UPDATE SET times = m.times + excluded.times;
    IF sign < 0 THEN
        DELETE FROM handling_rollup WHERE day = the_day AND resolved <= 0
            AND (kind, key) IN (SELECT g.kind, g.key FROM desk_rollup_groups(t.department, t.service, t.channel, t.holder) g);
        DELETE FROM handling_minutes WHERE day = the_day AND times <= 0
            AND (kind, key) IN (SELECT g.kind, g.key FROM desk_rollup_groups(t.department, t.service, t.channel, t.holder) g);
    END IF;
END $$;

-- A route step put in or taken out of the step rollups (0026): once its ticket is resolved and
-- it was left; the minutes queued (entered → claimed, or left when never claimed) and, of a step
-- claimed, worked (claimed → left), never below zero.
CREATE FUNCTION desk_step_count(s ticket_step, sign bigint, at_offset bigint) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    the_day bigint;
BEGIN
    IF s.ticket_resolved_at IS NULL OR s.left_at IS NULL THEN RETURN; END IF;
    the_day := (s.ticket_resolved_at + at_offset) / 86400;
    INSERT INTO step_rollup AS r (day, department, steps) VALUES (the_day, s.department, sign)
    ON CONFLICT (day, department) DO UPDATE SET steps = r.steps + excluded.steps;
    INSERT INTO step_minutes AS m (day, department, measure, minutes, times)
    SELECT the_day, s.department, v.measure, greatest(0, v.minutes), sign
    FROM (VALUES ('queued', (coalesce(s.claimed_at, s.left_at) - s.entered_at) / 60), ('worked', (s.left_at - s.claimed_at) / 60)) v (measure, minutes)
    WHERE v.minutes IS NOT NULL
    ON CONFLICT (day, department, measure, minutes) DO UPDATE SET times = m.times + excluded.times;
    IF sign < 0 THEN
        DELETE FROM step_rollup WHERE day = the_day AND department = s.department AND steps <= 0;
        DELETE FROM step_minutes WHERE day = the_day AND department = s.department AND times <= 0;
    END IF;
END $$;

-- A ticket put in or taken out of the progress rollups (0027): accepted, ended, and not before it
-- was accepted; a ticket put in raises the longest life.
CREATE FUNCTION desk_progress_count(t ticket, sign bigint, at_offset bigint) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    the_day bigint;
    the_code bigint;
    life bigint;
BEGIN
    IF t.accepted_at IS NULL OR (t.resolved_at IS NULL AND t.closed_at IS NULL)
        OR NOT coalesce(t.resolved_at >= t.accepted_at, true) OR NOT coalesce(t.closed_at >= t.accepted_at, true) THEN
        RETURN;
    END IF;
    the_day := (t.accepted_at + at_offset) / 86400;
    the_code := desk_progress_code(t.channel, t.resolved_at, t.timeliness, t.apologised_at, t.state, t.closed_at);
    INSERT INTO progress_rollup AS r (kind, day, key, code, tickets)
    SELECT g.kind, the_day, g.key, the_code, sign FROM desk_rollup_groups(t.department, t.service, t.channel, t.holder) g
    ON CONFLICT (kind, day, key, code) DO UPDATE SET tickets = r.tickets + excluded.tickets;
    IF sign < 0 THEN
        DELETE FROM progress_rollup WHERE day = the_day AND code = the_code AND tickets <= 0
            AND (kind, key) IN (SELECT g.kind, g.key FROM desk_rollup_groups(t.department, t.service, t.channel, t.holder) g);
    ELSE
        life := greatest(coalesce(t.resolved_at, t.closed_at), coalesce(t.closed_at, t.resolved_at)) - t.accepted_at;
        UPDATE report_rollup SET longest_life = life WHERE id = 1 AND longest_life < life;
    END IF;
END $$;

-- A ticket put in or taken out of the satisfaction rollups (0031): once returned, by its rating.
CREATE FUNCTION desk_satisfaction_count(t ticket, sign bigint, at_offset bigint) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    the_day bigint;
    the_rating bigint;
BEGIN
    IF t.returned_at IS NULL THEN RETURN; END IF;
    the_day := (t.returned_at + at_offset) / 86400;
    the_rating := desk_rating_code(t.rating);
    INSERT INTO satisfaction_rollup AS r (kind, day, key, rating, tickets)
    SELECT g.kind, the_day, g.key, the_rating, sign FROM desk_rollup_groups(t.department, t.service, t.channel, t.holder) g
    ON CONFLICT (kind, day, key, rating) DO UPDATE SET tickets = r.tickets + excluded.tickets;
    IF sign < 0 THEN
        DELETE FROM satisfaction_rollup WHERE day = the_day AND rating = the_rating AND tickets <= 0
            AND (kind, key) IN (SELECT g.kind, g.key FROM desk_rollup_groups(t.department, t.service, t.channel, t.holder) g);
    END IF;
END $$;

-- Counting a ticket's online figures again (0032's online_recount): the view's row of that ticket
-- into online_counted, written only when it differs.
CREATE FUNCTION desk_online_recount(which text) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    IF which IS NULL THEN RETURN; END IF;
    -- The ticket's row locked first: two transactions writing facts of one ticket at once count it
    -- one after the other, the second reading what the first committed (each statement here
    -- takes a fresh snapshot), so neither count loses the other's fact.
    PERFORM 1 FROM ticket WHERE code = which FOR NO KEY UPDATE;
    INSERT INTO online_counted AS c (ticket, day, service, department, bits, received_at, latest)
    SELECT o.ticket, (o.received_at + r.utc_offset) / 86400, o.service, o.department, o.bits, o.received_at, o.latest
    FROM online_ticket o, report_rollup r WHERE o.ticket = which AND r.id = 1 AND r.utc_offset IS NOT NULL
    ON CONFLICT (ticket) DO UPDATE SET day = excluded.day, service = excluded.service, department = excluded.department,
        bits = excluded.bits, received_at = excluded.received_at, latest = excluded.latest
    WHERE (c.day, c.service, c.department, c.bits, c.received_at, c.latest)
        IS DISTINCT FROM (excluded.day, excluded.service, excluded.department, excluded.bits, excluded.received_at, excluded.latest);
END $$;

-- Counting a ticket's charges and payments again (0033's revenue_recount): its row taken out when
-- it no longer bears charges (or is not accepted), else the view's row, written when it differs.
CREATE FUNCTION desk_revenue_recount(which text) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    IF which IS NULL THEN RETURN; END IF;
    PERFORM 1 FROM ticket WHERE code = which FOR NO KEY UPDATE;  -- as in desk_online_recount
    DELETE FROM revenue_counted WHERE ticket = which
        AND NOT EXISTS (SELECT 1 FROM ticket t WHERE t.code = which AND t.charge_lines > 0 AND t.accepted_at IS NOT NULL);
    INSERT INTO revenue_counted AS c (ticket, day, department, service, channel, holder, le_phi, phi, service_price, retained, collected,
        collected_online, exempted, accepted_at, latest)
    SELECT v.ticket, (v.accepted_at + r.utc_offset) / 86400, v.department, v.service, v.channel, v.holder, v.le_phi, v.phi,
        v.service_price, v.retained, v.collected, v.collected_online, v.exempted, v.accepted_at, v.latest
    FROM revenue_ticket v, report_rollup r WHERE v.ticket = which AND r.id = 1 AND r.utc_offset IS NOT NULL
    ON CONFLICT (ticket) DO UPDATE SET day = excluded.day, department = excluded.department, service = excluded.service,
        channel = excluded.channel, holder = excluded.holder, le_phi = excluded.le_phi, phi = excluded.phi,
        service_price = excluded.service_price, retained = excluded.retained, collected = excluded.collected,
        collected_online = excluded.collected_online, exempted = excluded.exempted, accepted_at = excluded.accepted_at,
        latest = excluded.latest
    WHERE (c.day, c.department, c.service, c.channel, c.holder, c.le_phi, c.phi, c.service_price, c.retained, c.collected,
            c.collected_online, c.exempted, c.accepted_at, c.latest)
        IS DISTINCT FROM (excluded.day, excluded.department, excluded.service, excluded.channel, excluded.holder, excluded.le_phi,
            excluded.phi, excluded.service_price, excluded.retained, excluded.collected, excluded.collected_online, excluded.exempted,
            excluded.accepted_at, excluded.latest);
END $$;

-- The writes to a ticket.
CREATE FUNCTION desk_ticket_rollups() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    at_offset bigint := desk_rollup_offset();
BEGIN
    IF TG_OP = 'DELETE' THEN
        -- A ticket's code never changes; a deleted ticket is counted out, built or not (0032, 0033).
        DELETE FROM online_counted WHERE ticket = OLD.code;
        IF OLD.charge_lines > 0 THEN DELETE FROM revenue_counted WHERE ticket = OLD.code; END IF;
        IF at_offset IS NOT NULL THEN
            PERFORM desk_handling_count(OLD, -1, at_offset);
            PERFORM desk_progress_count(OLD, -1, at_offset);
            PERFORM desk_satisfaction_count(OLD, -1, at_offset);
        END IF;
        RETURN NULL;
    END IF;
    IF at_offset IS NULL THEN RETURN NULL; END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM desk_handling_count(NEW, 1, at_offset);
        PERFORM desk_progress_count(NEW, 1, at_offset);
        PERFORM desk_satisfaction_count(NEW, 1, at_offset);
        PERFORM desk_online_recount(NEW.code);
        IF NEW.charge_lines > 0 AND NEW.accepted_at IS NOT NULL THEN PERFORM desk_revenue_recount(NEW.code); END IF;
        RETURN NULL;
    END IF;
    IF (OLD.resolved_at, OLD.handling_working_minutes, OLD.handling_calendar_minutes, OLD.paused_minutes, OLD.accepted_at,
            OLD.received_at, OLD.department, OLD.service, OLD.channel, OLD.holder)
        IS DISTINCT FROM (NEW.resolved_at, NEW.handling_working_minutes, NEW.handling_calendar_minutes, NEW.paused_minutes,
            NEW.accepted_at, NEW.received_at, NEW.department, NEW.service, NEW.channel, NEW.holder) THEN
        PERFORM desk_handling_count(OLD, -1, at_offset);
        PERFORM desk_handling_count(NEW, 1, at_offset);
    END IF;
    IF (OLD.accepted_at, OLD.resolved_at, OLD.closed_at, OLD.channel, OLD.timeliness, OLD.apologised_at, OLD.state, OLD.department,
            OLD.service, OLD.holder)
        IS DISTINCT FROM (NEW.accepted_at, NEW.resolved_at, NEW.closed_at, NEW.channel, NEW.timeliness, NEW.apologised_at, NEW.state,
            NEW.department, NEW.service, NEW.holder) THEN
        PERFORM desk_progress_count(OLD, -1, at_offset);
        PERFORM desk_progress_count(NEW, 1, at_offset);
    END IF;
    IF (OLD.returned_at, OLD.rating, OLD.department, OLD.service, OLD.channel, OLD.holder)
        IS DISTINCT FROM (NEW.returned_at, NEW.rating, NEW.department, NEW.service, NEW.channel, NEW.holder) THEN
        PERFORM desk_satisfaction_count(OLD, -1, at_offset);
        PERFORM desk_satisfaction_count(NEW, 1, at_offset);
    END IF;
    IF (OLD.received_at, OLD.service, OLD.department, OLD.channel, OLD.state, OLD.awaiting_reason, OLD.charge_lines, OLD.resolved_at,
            OLD.result_file, OLD.documents_to_digitise, OLD.documents_digitised, OLD.documents_reused)
        IS DISTINCT FROM (NEW.received_at, NEW.service, NEW.department, NEW.channel, NEW.state, NEW.awaiting_reason, NEW.charge_lines,
            NEW.resolved_at, NEW.result_file, NEW.documents_to_digitise, NEW.documents_digitised, NEW.documents_reused) THEN
        PERFORM desk_online_recount(NEW.code);
    END IF;
    IF (OLD.charge_lines > 0 OR NEW.charge_lines > 0)
        AND (OLD.accepted_at, OLD.department, OLD.service, OLD.channel, OLD.holder, OLD.charge_lines, OLD.charge_le_phi, OLD.charge_phi,
            OLD.charge_service_price, OLD.charge_retained)
        IS DISTINCT FROM (NEW.accepted_at, NEW.department, NEW.service, NEW.channel, NEW.holder, NEW.charge_lines, NEW.charge_le_phi,
            NEW.charge_phi, NEW.charge_service_price, NEW.charge_retained) THEN
        PERFORM desk_revenue_recount(NEW.code);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER ticket_rollups AFTER INSERT OR UPDATE OR DELETE ON ticket FOR EACH ROW EXECUTE FUNCTION desk_ticket_rollups();

-- The writes to a route step.
CREATE FUNCTION desk_step_rollups() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    at_offset bigint := desk_rollup_offset();
BEGIN
    IF at_offset IS NULL THEN RETURN NULL; END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM desk_step_count(NEW, 1, at_offset);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM desk_step_count(OLD, -1, at_offset);
    ELSIF (OLD.ticket_resolved_at, OLD.left_at, OLD.claimed_at, OLD.entered_at, OLD.department)
        IS DISTINCT FROM (NEW.ticket_resolved_at, NEW.left_at, NEW.claimed_at, NEW.entered_at, NEW.department) THEN
        PERFORM desk_step_count(OLD, -1, at_offset);
        PERFORM desk_step_count(NEW, 1, at_offset);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER ticket_step_rollups AFTER INSERT OR UPDATE OR DELETE ON ticket_step FOR EACH ROW EXECUTE FUNCTION desk_step_rollups();

-- The facts beside a ticket (0032, 0033): its online reception and grade (events are
-- append-only), its payments (every kind and method counts for the revenue, the paid online ones
-- for the online figures), the portal's acknowledgement, its result file. A write that moves a
-- fact from one ticket to another counts both.
CREATE FUNCTION desk_reception_rollups() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF desk_rollup_offset() IS NOT NULL THEN PERFORM desk_online_recount(NEW.entity_id); END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER event_reception_rollups AFTER INSERT ON event FOR EACH ROW
    WHEN (NEW.action = 'ticket.receive' AND NEW.entity = 'ticket') EXECUTE FUNCTION desk_reception_rollups();

CREATE FUNCTION desk_payment_rollups() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF desk_rollup_offset() IS NULL THEN RETURN NULL; END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.kind = 'paid' AND NEW.method = 'online' THEN PERFORM desk_online_recount(NEW.ticket); END IF;
        PERFORM desk_revenue_recount(NEW.ticket);
    ELSIF TG_OP = 'DELETE' THEN
        IF OLD.kind = 'paid' AND OLD.method = 'online' THEN PERFORM desk_online_recount(OLD.ticket); END IF;
        PERFORM desk_revenue_recount(OLD.ticket);
    ELSE
        IF ((OLD.kind = 'paid' AND OLD.method = 'online') OR (NEW.kind = 'paid' AND NEW.method = 'online'))
            AND (OLD.ticket, OLD.kind, OLD.method, OLD.at) IS DISTINCT FROM (NEW.ticket, NEW.kind, NEW.method, NEW.at) THEN
            PERFORM desk_online_recount(NEW.ticket);
            IF OLD.ticket IS DISTINCT FROM NEW.ticket THEN PERFORM desk_online_recount(OLD.ticket); END IF;
        END IF;
        IF (OLD.ticket, OLD.kind, OLD.method, OLD.amount, OLD.at) IS DISTINCT FROM (NEW.ticket, NEW.kind, NEW.method, NEW.amount, NEW.at) THEN
            PERFORM desk_revenue_recount(NEW.ticket);
            IF OLD.ticket IS DISTINCT FROM NEW.ticket THEN PERFORM desk_revenue_recount(OLD.ticket); END IF;
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER payment_rollups AFTER INSERT OR UPDATE OR DELETE ON payment FOR EACH ROW EXECUTE FUNCTION desk_payment_rollups();

CREATE FUNCTION desk_sync_rollups() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF desk_rollup_offset() IS NULL THEN RETURN NULL; END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM desk_online_recount(NEW.ticket);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM desk_online_recount(OLD.ticket);
    ELSIF (OLD.ticket, OLD.portal_status) IS DISTINCT FROM (NEW.ticket, NEW.portal_status) THEN
        PERFORM desk_online_recount(NEW.ticket);
        IF OLD.ticket IS DISTINCT FROM NEW.ticket THEN PERFORM desk_online_recount(OLD.ticket); END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER sync_ack_rollups AFTER INSERT OR UPDATE OR DELETE ON sync_ack FOR EACH ROW EXECUTE FUNCTION desk_sync_rollups();

CREATE FUNCTION desk_result_rollups() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF desk_rollup_offset() IS NULL THEN RETURN NULL; END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.slot = 'result' THEN PERFORM desk_online_recount(NEW.ticket); END IF;
    ELSIF TG_OP = 'DELETE' THEN
        IF OLD.slot = 'result' THEN PERFORM desk_online_recount(OLD.ticket); END IF;
    ELSIF (OLD.slot = 'result' OR NEW.slot = 'result')
        AND (OLD.ticket, OLD.slot, OLD.uploaded_at) IS DISTINCT FROM (NEW.ticket, NEW.slot, NEW.uploaded_at) THEN
        PERFORM desk_online_recount(NEW.ticket);
        IF OLD.ticket IS DISTINCT FROM NEW.ticket THEN PERFORM desk_online_recount(OLD.ticket); END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER stored_file_rollups AFTER INSERT OR UPDATE OR DELETE ON stored_file FOR EACH ROW EXECUTE FUNCTION desk_result_rollups();

-- online_rollup is the sum of online_counted (0032), with the latest fact and the longest lag.
CREATE FUNCTION desk_online_counted() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF desk_rollup_offset() IS NULL THEN RETURN NULL; END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE online_rollup SET tickets = tickets - 1
        WHERE day = OLD.day AND service = OLD.service AND department = OLD.department AND bits = OLD.bits;
        DELETE FROM online_rollup
        WHERE day = OLD.day AND service = OLD.service AND department = OLD.department AND bits = OLD.bits AND tickets <= 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO online_rollup AS r (day, service, department, bits, tickets) VALUES (NEW.day, NEW.service, NEW.department, NEW.bits, 1)
        ON CONFLICT (day, service, department, bits) DO UPDATE SET tickets = r.tickets + 1;
        UPDATE report_rollup SET online_latest = greatest(online_latest, NEW.latest),
            online_longest_lag = greatest(online_longest_lag, NEW.latest - NEW.received_at)
        WHERE id = 1 AND (NEW.latest > online_latest OR NEW.latest - NEW.received_at > online_longest_lag);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER online_counted_rollup AFTER INSERT OR UPDATE OR DELETE ON online_counted FOR EACH ROW EXECUTE FUNCTION desk_online_counted();

-- revenue_rollup is the sum of revenue_counted per day and group (0033's revenue_count), with the
-- latest payment and the longest lag.
CREATE FUNCTION desk_revenue_count(c revenue_counted, sign bigint) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO revenue_rollup AS r (kind, day, key, tickets, le_phi, phi, service_price, retained, collected, collected_online, exempted)
    SELECT g.kind, c.day, g.key, sign, sign * c.le_phi, sign * c.phi, sign * c.service_price, sign * c.retained, sign * c.collected,
        sign * c.collected_online, sign * c.exempted
    FROM desk_rollup_groups(c.department, c.service, c.channel, c.holder) g
    ON CONFLICT (kind, day, key) DO UPDATE SET tickets = r.tickets + excluded.tickets, le_phi = r.le_phi + excluded.le_phi,
        phi = r.phi + excluded.phi, service_price = r.service_price + excluded.service_price, retained = r.retained + excluded.retained,
        collected = r.collected + excluded.collected, collected_online = r.collected_online + excluded.collected_online,
        exempted = r.exempted + excluded.exempted;
    IF sign < 0 THEN
        DELETE FROM revenue_rollup WHERE day = c.day AND tickets <= 0
            AND (kind, key) IN (SELECT g.kind, g.key FROM desk_rollup_groups(c.department, c.service, c.channel, c.holder) g);
    ELSE
        UPDATE report_rollup SET revenue_latest = greatest(revenue_latest, c.latest),
            revenue_longest_lag = greatest(revenue_longest_lag, c.latest - c.accepted_at)
        WHERE id = 1 AND (c.latest > revenue_latest OR c.latest - c.accepted_at > revenue_longest_lag);
    END IF;
END $$;

CREATE FUNCTION desk_revenue_counted() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF desk_rollup_offset() IS NULL THEN RETURN NULL; END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM desk_revenue_count(OLD, -1); END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM desk_revenue_count(NEW, 1); END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER revenue_counted_rollup AFTER INSERT OR UPDATE OR DELETE ON revenue_counted FOR EACH ROW EXECUTE FUNCTION desk_revenue_counted();

-- Counting every rollup afresh from the rows at `at_offset` (AppDatabase.rebuildRollups): the
-- triggers held off meanwhile (no offset), each table filled by one statement; the latest facts
-- and the longest times counted afresh with them. The tables counted are locked against writes
-- until the transaction ends (another instance's write waits, then is counted by its triggers).
CREATE FUNCTION desk_rollups_rebuild(at_offset bigint) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    IF at_offset IS NULL THEN RAISE EXCEPTION 'the rollups are counted at an offset'; END IF;
    LOCK TABLE ticket, ticket_step, event, payment, sync_ack, stored_file, report_rollup IN SHARE MODE;
    UPDATE report_rollup SET utc_offset = NULL WHERE id = 1;
    DELETE FROM handling_rollup;
    DELETE FROM handling_minutes;
    DELETE FROM step_rollup;
    DELETE FROM step_minutes;
    DELETE FROM progress_rollup;
    DELETE FROM satisfaction_rollup;
    DELETE FROM online_counted;
    DELETE FROM online_rollup;
    DELETE FROM revenue_counted;
    DELETE FROM revenue_rollup;

    INSERT INTO handling_rollup (kind, day, key, resolved, paused)
    SELECT g.kind, (t.resolved_at + at_offset) / 86400, g.key, count(*), sum(coalesce(t.paused_minutes, 0))
    FROM ticket t, desk_rollup_groups(t.department, t.service, t.channel, t.holder) g
    WHERE t.resolved_at IS NOT NULL AND t.handling_working_minutes IS NOT NULL
    GROUP BY 1, 2, 3;
    INSERT INTO handling_minutes (kind, day, key, measure, minutes, times)
    SELECT g.kind, (t.resolved_at + at_offset) / 86400, g.key, v.measure, v.minutes, count(*)
    FROM ticket t, desk_rollup_groups(t.department, t.service, t.channel, t.holder) g,
        LATERAL (VALUES ('working', t.handling_working_minutes),
            ('calendar', coalesce(t.handling_calendar_minutes, (t.resolved_at - coalesce(t.accepted_at, t.received_at)) / 60))) v (measure, minutes)
    WHERE t.resolved_at IS NOT NULL AND t.handling_working_minutes IS NOT NULL AND v.minutes IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5;

    INSERT INTO step_rollup (day, department, steps)
    SELECT (s.ticket_resolved_at + at_offset) / 86400, s.department, count(*)
    FROM ticket_step s WHERE s.ticket_resolved_at IS NOT NULL AND s.left_at IS NOT NULL
    GROUP BY 1, 2;
    INSERT INTO step_minutes (day, department, measure, minutes, times)
    SELECT (s.ticket_resolved_at + at_offset) / 86400, s.department, v.measure, greatest(0, v.minutes), count(*)
    FROM ticket_step s,
        LATERAL (VALUES ('queued', (coalesce(s.claimed_at, s.left_at) - s.entered_at) / 60), ('worked', (s.left_at - s.claimed_at) / 60)) v (measure, minutes)
    WHERE s.ticket_resolved_at IS NOT NULL AND s.left_at IS NOT NULL AND v.minutes IS NOT NULL
    GROUP BY 1, 2, 3, 4;

    INSERT INTO progress_rollup (kind, day, key, code, tickets)
    SELECT g.kind, (t.accepted_at + at_offset) / 86400, g.key,
        desk_progress_code(t.channel, t.resolved_at, t.timeliness, t.apologised_at, t.state, t.closed_at), count(*)
    FROM ticket t, desk_rollup_groups(t.department, t.service, t.channel, t.holder) g
    WHERE t.accepted_at IS NOT NULL AND (t.resolved_at IS NOT NULL OR t.closed_at IS NOT NULL)
        AND coalesce(t.resolved_at >= t.accepted_at, true) AND coalesce(t.closed_at >= t.accepted_at, true)
    GROUP BY 1, 2, 3, 4;

    INSERT INTO satisfaction_rollup (kind, day, key, rating, tickets)
    SELECT g.kind, (t.returned_at + at_offset) / 86400, g.key, desk_rating_code(t.rating), count(*)
    FROM ticket t, desk_rollup_groups(t.department, t.service, t.channel, t.holder) g
    WHERE t.returned_at IS NOT NULL
    GROUP BY 1, 2, 3, 4;

    INSERT INTO online_counted (ticket, day, service, department, bits, received_at, latest)
    SELECT o.ticket, (o.received_at + at_offset) / 86400, o.service, o.department, o.bits, o.received_at, o.latest FROM online_ticket o;
    INSERT INTO online_rollup (day, service, department, bits, tickets)
    SELECT day, service, department, bits, count(*) FROM online_counted GROUP BY day, service, department, bits;

    INSERT INTO revenue_counted (ticket, day, department, service, channel, holder, le_phi, phi, service_price, retained, collected,
        collected_online, exempted, accepted_at, latest)
    SELECT v.ticket, (v.accepted_at + at_offset) / 86400, v.department, v.service, v.channel, v.holder, v.le_phi, v.phi, v.service_price,
        v.retained, v.collected, v.collected_online, v.exempted, v.accepted_at, v.latest
    FROM revenue_ticket v;
    INSERT INTO revenue_rollup (kind, day, key, tickets, le_phi, phi, service_price, retained, collected, collected_online, exempted)
    SELECT g.kind, c.day, g.key, count(*), sum(c.le_phi), sum(c.phi), sum(c.service_price), sum(c.retained), sum(c.collected),
        sum(c.collected_online), sum(c.exempted)
    FROM revenue_counted c, desk_rollup_groups(c.department, c.service, c.channel, c.holder) g
    GROUP BY 1, 2, 3;

    UPDATE report_rollup SET utc_offset = at_offset,
        longest_life = greatest(0, coalesce((
            SELECT max(greatest(coalesce(t.resolved_at, t.closed_at), coalesce(t.closed_at, t.resolved_at)) - t.accepted_at)
            FROM ticket t
            WHERE t.accepted_at IS NOT NULL AND (t.resolved_at IS NOT NULL OR t.closed_at IS NOT NULL)
                AND coalesce(t.resolved_at >= t.accepted_at, true) AND coalesce(t.closed_at >= t.accepted_at, true)), 0)),
        online_latest = coalesce((SELECT max(latest) FROM online_counted), 0),
        online_longest_lag = greatest(0, coalesce((SELECT max(latest - received_at) FROM online_counted), 0)),
        revenue_latest = coalesce((SELECT max(latest) FROM revenue_counted), 0),
        revenue_longest_lag = greatest(0, coalesce((SELECT max(latest - accepted_at) FROM revenue_counted), 0))
    WHERE id = 1;
END $$;

-- A database copied before this migration held the file's multisets as blobs: counted afresh.
SELECT desk_rollups_rebuild(utc_offset) FROM report_rollup WHERE id = 1 AND utc_offset IS NOT NULL;
