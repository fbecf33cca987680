-- A new ticket's insert made lighter on the single writer (issue 17; docs/benchmarks.md, "The
-- ticket's insert: its online figures from its own columns, two report indexes partial").
--
-- 1. A ticket's online figures when it is inserted. 0032 counted every new ticket through the view
-- online_ticket, whose facts — an online reception's event and grade, an online payment, the
-- portal's acknowledgement, the result file — are eight lookups in other tables: the recount was
-- 23 % of the ticket's INSERT (instructions counted under callgrind). A ticket being inserted has
-- none of them yet: a payment and a portal acknowledgement name their ticket by a foreign key
-- (they cannot come before it), the events of a dossier are appended after its row (its code, from
-- the day's gap-free sequence, is never given twice), and its result file is one of its own
-- columns. So the new row's figures are its own columns' bits alone, written here as 0032's view
-- writes them (0037's form: comparisons joined by OR, no list that builds a temporary table); a
-- ticket inserted with a result file already named is counted through the view as before.
-- The bits are thus written twice: ReportRollupTests.onlineFiguresAtInsert inserts every shape of
-- those columns and holds each row kept here to the view's, so the two cannot drift apart unseen.
DROP TRIGGER online_ticket_insert;

CREATE TRIGGER online_ticket_insert AFTER INSERT ON ticket
WHEN (SELECT utc_offset FROM report_rollup) IS NOT NULL AND new.result_file IS NULL
BEGIN
    INSERT INTO online_counted (ticket, day, service, department, bits, received_at, latest)
    VALUES (new.code, (new.received_at + (SELECT utc_offset FROM report_rollup)) / 86400, new.service, coalesce(new.department, '-'),
        1
        + (CASE WHEN (new.channel = 'web' OR new.channel = 'mobile' OR new.channel = 'email') THEN 2 ELSE 0 END)
        + (CASE WHEN new.state = 'new' THEN 4 ELSE 0 END)
        + (CASE WHEN new.charge_lines > 0 THEN 32 ELSE 0 END)
        + (CASE WHEN NOT (new.channel = 'web' OR new.channel = 'mobile' OR new.channel = 'email') AND new.documents_to_digitise > 0
            THEN 1024 ELSE 0 END)
        + (CASE WHEN NOT (new.channel = 'web' OR new.channel = 'mobile' OR new.channel = 'email') AND new.documents_to_digitise > 0
            AND new.documents_digitised = new.documents_to_digitise THEN 2048 ELSE 0 END)
        + (CASE WHEN new.documents_reused > 0 THEN 4096 ELSE 0 END)
        + (CASE WHEN new.resolved_at IS NOT NULL THEN 8192 ELSE 0 END),
        new.received_at, coalesce(new.resolved_at, 0))
    ON CONFLICT (ticket) DO UPDATE SET day = excluded.day, service = excluded.service, department = excluded.department,
        bits = excluded.bits, received_at = excluded.received_at, latest = excluded.latest;
END;

CREATE TRIGGER online_ticket_insert_filed AFTER INSERT ON ticket
WHEN (SELECT utc_offset FROM report_rollup) IS NOT NULL AND new.result_file IS NOT NULL
BEGIN
    INSERT INTO online_recount (ticket) VALUES (new.code);
END;

-- 2. Two report indexes hold only the tickets they are read for. Handling-times reads
-- ticket_handling by a range of resolved_at, satisfaction ticket_returned by a range of
-- returned_at (and counts its rollups afresh over returned_at IS NOT NULL): a range implies the
-- column is not NULL, so SQLite uses a partial index for them as before (ReportScanTests reads the
-- plans). An open ticket — every new one — is no longer written into either.
DROP INDEX ticket_handling;
CREATE INDEX ticket_handling ON ticket (
    resolved_at, handling_working_minutes, handling_calendar_minutes, paused_minutes, accepted_at, received_at,
    department, service, channel, holder
) WHERE resolved_at IS NOT NULL;

DROP INDEX ticket_returned;
CREATE INDEX ticket_returned ON ticket (returned_at, rating, department, service, channel, holder) WHERE returned_at IS NOT NULL;
