-- Online rollups (issue 17; docs/reports.md, online): the figures of Decision 766/QĐ-TTg's online
-- and digitisation groups per local day of receipt, service and department, so a report over a long
-- period reads a row per day and service instead of a row per dossier and its facts.
--
-- A dossier's figures depend on what is recorded beside it after its day — its online reception
-- and grade, its online payments, the portal's acknowledgement, its result file — so they are kept
-- per ticket first: `online_counted` holds each ticket's figures (the bits of the report's count,
-- AppDatabase.onlineCounts; the fully online ones are told at read from the service), as if the
-- period ran to the end of time, and whenever the ticket or a fact beside it is written the
-- triggers below count that ticket again from the view `online_ticket` (`online_recount`: its row
-- rewritten when it differs). `online_rollup` is the sum of those rows, kept by the triggers on
-- `online_counted`. Every ticket is counted, of any kind of service: the report keeps the
-- procedures at read, as it tells the fully online ones, so a service's settings never rewrite
-- the rollups.
--
-- A fact counts in a period only when it came before the period's end. `online_latest` is the
-- latest moment of any fact counted and `online_longest_lag` the longest time from a ticket's
-- receipt to its latest fact: when the latest fact is before a period's end the rollups are the
-- period's figures; otherwise only the tickets received at least the longest lag before the end are
-- sure to have had all their facts before it, and the report reads the days after as rows. Both
-- only grow (a bound is all the report needs) and are counted afresh with the rollups.
--
-- Kept only while the rollups are built (report_rollup.utc_offset not NULL); ServiceDesk counts
-- them afresh with the others (AppDatabase.rebuildOnlineRollups). A migration that rebuilds ticket,
-- event, payment, sync_ack or stored_file must create their triggers again.
ALTER TABLE report_rollup ADD COLUMN online_latest INTEGER NOT NULL DEFAULT 0;       -- seconds
ALTER TABLE report_rollup ADD COLUMN online_longest_lag INTEGER NOT NULL DEFAULT 0;  -- seconds, receipt → latest fact
UPDATE report_rollup SET utc_offset = NULL;

CREATE TABLE online_counted (
    ticket TEXT PRIMARY KEY,
    day INTEGER NOT NULL,                            -- local day of received_at, since 1970-01-01
    service TEXT NOT NULL,
    department TEXT NOT NULL,                        -- '-' for none
    bits INTEGER NOT NULL,                           -- the report's bits, as if the period never ended
    received_at INTEGER NOT NULL,
    latest INTEGER NOT NULL                          -- the latest fact counted (0: none)
) WITHOUT ROWID;

CREATE TABLE online_rollup (
    day INTEGER NOT NULL,
    service TEXT NOT NULL,
    department TEXT NOT NULL,
    bits INTEGER NOT NULL,
    tickets INTEGER NOT NULL,
    PRIMARY KEY (day, service, department, bits)
) WITHOUT ROWID;

-- Each ticket's figures as if the period ran to the end of time — the straight path's query
-- (AppDatabase.onlineFigures) without the period's end: bit 0 received, 1 online (web, mobile,
-- e-mail), 2 awaiting reception, 3 received online on time, 4 late, 5 bearing fees, 6 paid online,
-- 7 the status the portal holds is the ticket's (PortalStatus.sql), 10 to digitise, 11 digitised,
-- 12 reusing data, 13 resolved, 14 with an electronic result. Bits 8 and 9 (fully online) come
-- from the service at read.
CREATE VIEW online_ticket AS
SELECT t.code AS ticket, t.received_at AS received_at, t.service AS service, coalesce(t.department, '-') AS department,
    1
    + (CASE WHEN t.channel IN ('web', 'mobile', 'email') THEN 2 ELSE 0 END)
    + (CASE WHEN t.state = 'new' THEN 4 ELSE 0 END)
    + (CASE WHEN EXISTS (SELECT 1 FROM event e WHERE e.entity_id = t.code AND e.action = 'ticket.receive' AND e.entity = 'ticket'
        AND json_extract(e.detail, '$.receptionGrade') = 'on-time') THEN 8 ELSE 0 END)
    + (CASE WHEN EXISTS (SELECT 1 FROM event e WHERE e.entity_id = t.code AND e.action = 'ticket.receive' AND e.entity = 'ticket'
        AND json_extract(e.detail, '$.receptionGrade') = 'late') THEN 16 ELSE 0 END)
    + (CASE WHEN t.charge_lines > 0 THEN 32 ELSE 0 END)
    + (CASE WHEN t.charge_lines > 0 AND EXISTS (SELECT 1 FROM payment p WHERE p.ticket = t.code AND p.kind = 'paid' AND p.method = 'online')
        THEN 64 ELSE 0 END)
    + (CASE WHEN EXISTS (SELECT 1 FROM sync_ack a WHERE a.ticket = t.code AND a.portal_status =
        (CASE t.state WHEN 'new' THEN 1 WHEN 'queued' THEN 2 WHEN 'in-progress' THEN 4
            WHEN 'awaiting-citizen' THEN (CASE t.awaiting_reason WHEN 'payment' THEN 6 ELSE 5 END)
            WHEN 'resolved' THEN 9 WHEN 'returned' THEN 10 WHEN 'rejected' THEN 3 WHEN 'withdrawn' THEN 7 END)) THEN 128 ELSE 0 END)
    + (CASE WHEN t.channel NOT IN ('web', 'mobile', 'email') AND t.documents_to_digitise > 0 THEN 1024 ELSE 0 END)
    + (CASE WHEN t.channel NOT IN ('web', 'mobile', 'email') AND t.documents_to_digitise > 0
        AND t.documents_digitised = t.documents_to_digitise THEN 2048 ELSE 0 END)
    + (CASE WHEN t.documents_reused > 0 THEN 4096 ELSE 0 END)
    + (CASE WHEN t.resolved_at IS NOT NULL THEN 8192 ELSE 0 END)
    + (CASE WHEN t.resolved_at IS NOT NULL AND EXISTS (SELECT 1 FROM stored_file f WHERE f.id = t.result_file) THEN 16384 ELSE 0 END)
    AS bits,
    max(
        coalesce((SELECT max(e.at) FROM event e WHERE e.entity_id = t.code AND e.action = 'ticket.receive' AND e.entity = 'ticket'
            AND json_extract(e.detail, '$.receptionGrade') IN ('on-time', 'late')), 0),
        coalesce((SELECT max(p.at) FROM payment p WHERE p.ticket = t.code AND p.kind = 'paid' AND p.method = 'online'), 0),
        coalesce(t.resolved_at, 0),
        coalesce((SELECT f.uploaded_at FROM stored_file f WHERE f.id = t.result_file), 0)
    ) AS latest
FROM ticket t;

-- online_rollup is the sum of online_counted, kept by its triggers.
CREATE TRIGGER online_counted_insert AFTER INSERT ON online_counted
WHEN (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    INSERT INTO online_rollup (day, service, department, bits, tickets) VALUES (new.day, new.service, new.department, new.bits, 1)
    ON CONFLICT (day, service, department, bits) DO UPDATE SET tickets = tickets + 1;
    UPDATE report_rollup SET online_latest = max(online_latest, new.latest),
        online_longest_lag = max(online_longest_lag, new.latest - new.received_at)
    WHERE new.latest > online_latest OR new.latest - new.received_at > online_longest_lag;
END;

CREATE TRIGGER online_counted_update AFTER UPDATE ON online_counted
WHEN (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    UPDATE online_rollup SET tickets = tickets - 1
    WHERE day = old.day AND service = old.service AND department = old.department AND bits = old.bits;
    DELETE FROM online_rollup
    WHERE day = old.day AND service = old.service AND department = old.department AND bits = old.bits AND tickets <= 0;
    INSERT INTO online_rollup (day, service, department, bits, tickets) VALUES (new.day, new.service, new.department, new.bits, 1)
    ON CONFLICT (day, service, department, bits) DO UPDATE SET tickets = tickets + 1;
    UPDATE report_rollup SET online_latest = max(online_latest, new.latest),
        online_longest_lag = max(online_longest_lag, new.latest - new.received_at)
    WHERE new.latest > online_latest OR new.latest - new.received_at > online_longest_lag;
END;

CREATE TRIGGER online_counted_delete AFTER DELETE ON online_counted
WHEN (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    UPDATE online_rollup SET tickets = tickets - 1
    WHERE day = old.day AND service = old.service AND department = old.department AND bits = old.bits;
    DELETE FROM online_rollup
    WHERE day = old.day AND service = old.service AND department = old.department AND bits = old.bits AND tickets <= 0;
END;

-- Counting a ticket again: `INSERT INTO online_recount (ticket) VALUES (…)` upserts the view's row
-- of that ticket into online_counted, written only when it differs (most writes to a ticket change
-- none of its figures, and then cost one read of the view). A view with an INSTEAD OF trigger is
-- SQLite's way to name a statement once: nothing is stored. The triggers after it call it for the
-- tickets each write touches, while the rollups are built; a write that moves a fact from one
-- ticket to another counts both.
CREATE VIEW online_recount AS SELECT NULL AS ticket;

CREATE TRIGGER online_recount INSTEAD OF INSERT ON online_recount
BEGIN
    INSERT INTO online_counted (ticket, day, service, department, bits, received_at, latest)
    SELECT o.ticket, (o.received_at + r.utc_offset) / 86400, o.service, o.department, o.bits, o.received_at, o.latest
    FROM online_ticket o, report_rollup r WHERE o.ticket = new.ticket AND r.utc_offset IS NOT NULL
    ON CONFLICT (ticket) DO UPDATE SET day = excluded.day, service = excluded.service, department = excluded.department,
        bits = excluded.bits, received_at = excluded.received_at, latest = excluded.latest
    WHERE day <> excluded.day OR service <> excluded.service OR department <> excluded.department OR bits <> excluded.bits
        OR received_at <> excluded.received_at OR latest <> excluded.latest;
END;

CREATE TRIGGER online_ticket_insert AFTER INSERT ON ticket
WHEN (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    INSERT INTO online_recount (ticket) VALUES (new.code);
END;

CREATE TRIGGER online_ticket_update AFTER UPDATE OF received_at, service, department, channel, state, awaiting_reason, charge_lines, resolved_at, result_file, documents_to_digitise, documents_digitised, documents_reused ON ticket
WHEN (SELECT utc_offset FROM report_rollup) IS NOT NULL
    AND (old.received_at IS NOT new.received_at OR old.service IS NOT new.service OR old.department IS NOT new.department OR old.channel IS NOT new.channel OR old.state IS NOT new.state OR old.awaiting_reason IS NOT new.awaiting_reason OR old.charge_lines IS NOT new.charge_lines OR old.resolved_at IS NOT new.resolved_at OR old.result_file IS NOT new.result_file OR old.documents_to_digitise IS NOT new.documents_to_digitise OR old.documents_digitised IS NOT new.documents_digitised OR old.documents_reused IS NOT new.documents_reused)
BEGIN
    INSERT INTO online_recount (ticket) VALUES (new.code);
END;

-- A ticket's code never changes (the dossier code, referenced by every table); a deleted ticket
-- is counted out.
CREATE TRIGGER online_ticket_delete AFTER DELETE ON ticket
BEGIN
    DELETE FROM online_counted WHERE ticket = old.code;
END;

-- The facts: a ticket's online reception and its grade (events are append-only: 0001's triggers
-- refuse their update and delete), its online payments, the portal's acknowledgement, its result
-- file (one of the ticket's own: AppDatabase.storeResult stores it, then names it).
CREATE TRIGGER online_reception_insert AFTER INSERT ON event
WHEN new.action = 'ticket.receive' AND new.entity = 'ticket' AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    INSERT INTO online_recount (ticket) VALUES (new.entity_id);
END;

CREATE TRIGGER online_payment_insert AFTER INSERT ON payment
WHEN new.kind = 'paid' AND new.method = 'online' AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    INSERT INTO online_recount (ticket) VALUES (new.ticket);
END;

CREATE TRIGGER online_payment_update AFTER UPDATE OF ticket, kind, method, at ON payment
WHEN ((old.kind = 'paid' AND old.method = 'online') OR (new.kind = 'paid' AND new.method = 'online')) AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    INSERT INTO online_recount (ticket) VALUES (new.ticket);
    INSERT INTO online_recount (ticket) SELECT old.ticket WHERE old.ticket IS NOT new.ticket;
END;

CREATE TRIGGER online_payment_delete AFTER DELETE ON payment
WHEN old.kind = 'paid' AND old.method = 'online' AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    INSERT INTO online_recount (ticket) VALUES (old.ticket);
END;

CREATE TRIGGER online_sync_insert AFTER INSERT ON sync_ack
WHEN (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    INSERT INTO online_recount (ticket) VALUES (new.ticket);
END;

CREATE TRIGGER online_sync_update AFTER UPDATE OF ticket, portal_status ON sync_ack
WHEN (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    INSERT INTO online_recount (ticket) VALUES (new.ticket);
    INSERT INTO online_recount (ticket) SELECT old.ticket WHERE old.ticket IS NOT new.ticket;
END;

CREATE TRIGGER online_sync_delete AFTER DELETE ON sync_ack
WHEN (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    INSERT INTO online_recount (ticket) VALUES (old.ticket);
END;

CREATE TRIGGER online_result_insert AFTER INSERT ON stored_file
WHEN new.slot = 'result' AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    INSERT INTO online_recount (ticket) VALUES (new.ticket);
END;

CREATE TRIGGER online_result_update AFTER UPDATE OF ticket, slot, uploaded_at ON stored_file
WHEN ((old.slot = 'result') OR (new.slot = 'result')) AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    INSERT INTO online_recount (ticket) VALUES (new.ticket);
    INSERT INTO online_recount (ticket) SELECT old.ticket WHERE old.ticket IS NOT new.ticket;
END;

CREATE TRIGGER online_result_delete AFTER DELETE ON stored_file
WHEN old.slot = 'result' AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    INSERT INTO online_recount (ticket) VALUES (old.ticket);
END;
