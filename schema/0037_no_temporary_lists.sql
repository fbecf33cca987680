-- No CHECK or view builds a temporary table at each write (issue 17; docs/benchmarks.md). SQLite
-- evaluates `x IN ('a', 'b', 'c')` — a list of three constants or more — by filling a temporary
-- b-tree with the list each time the statement runs, also when it is a column's CHECK: every
-- INSERT into ticket built six of them (channel, priority, state, outcome, rating, timeliness),
-- and counting the new ticket's online figures (the view online_ticket) three more, nine
-- temporary tables opened and closed on the single writer per intake; a walk-in number's call one
-- (queue_number.state). The same conditions written as comparisons joined by OR mean the same
-- (NULL still passes a CHECK, as before) and cost a few instructions.
--
-- A CHECK cannot be altered in SQLite; changing its text in sqlite_schema is the documented way for
-- changes that leave the stored rows and the indexes as they are (SQLite's "ALTER TABLE", section
-- "Making other kinds of table schema changes"): PRAGMA writable_schema, the table's text
-- rewritten, the schema read again (RESET). The view's re-creation below changes the schema's
-- version, so every other connection reads the new schema too. Each replace() names the whole
-- condition as 0001–0036 wrote it: a table written otherwise keeps its text, and its CHECK its
-- meaning. The tables keep their names, columns, constraints' meaning and indexes; PostgreSQL's
-- model (schema/postgres) has no such cost and is unchanged.
PRAGMA writable_schema = ON;

UPDATE sqlite_schema SET sql = replace(replace(sql,
    'role IN (''admin'', ''supervisor'', ''officer'', ''handler'', ''integration'', ''kiosk'', ''display'')',
    '(role = ''admin'' OR role = ''supervisor'' OR role = ''officer'' OR role = ''handler'' OR role = ''integration'' OR role = ''kiosk'' OR role = ''display'')'),
    'employment IN (''civil-servant'', ''public-employee'', ''contract'')',
    '(employment = ''civil-servant'' OR employment = ''public-employee'' OR employment = ''contract'')')
WHERE type = 'table' AND name = 'staff';
UPDATE sqlite_schema SET sql = replace(sql,
    'kind IN (''procedure'', ''feedback'', ''inquiry'', ''complaint'')',
    '(kind = ''procedure'' OR kind = ''feedback'' OR kind = ''inquiry'' OR kind = ''complaint'')')
WHERE type = 'table' AND name = 'service';
UPDATE sqlite_schema SET sql = replace(sql,
    'kind IN (''le-phi'', ''phi'', ''service-price'')',
    '(kind = ''le-phi'' OR kind = ''phi'' OR kind = ''service-price'')')
WHERE type = 'table' AND name = 'service_charge';
UPDATE sqlite_schema SET sql = replace(sql,
    'grade IN (''early'', ''on-time'', ''late'')',
    '(grade = ''early'' OR grade = ''on-time'' OR grade = ''late'')')
WHERE type = 'table' AND name = 'ticket_step';
UPDATE sqlite_schema SET sql = replace(sql,
    'state IN (''waiting'', ''called'', ''serving'', ''served'', ''no-show'', ''transferred'', ''closed'')',
    '(state = ''waiting'' OR state = ''called'' OR state = ''serving'' OR state = ''served'' OR state = ''no-show'' OR state = ''transferred'' OR state = ''closed'')')
WHERE type = 'table' AND name = 'queue_number';
UPDATE sqlite_schema SET sql = replace(sql,
    'category IN (''civil-servant'', ''public-employee'', ''contract'')',
    '(category = ''civil-servant'' OR category = ''public-employee'' OR category = ''contract'')')
WHERE type = 'table' AND name = 'quota';
UPDATE sqlite_schema SET sql = replace(sql,
    'channel IN (''sms'', ''email'', ''zalo'')',
    '(channel = ''sms'' OR channel = ''email'' OR channel = ''zalo'')')
WHERE type = 'table' AND name = 'gateway';
UPDATE sqlite_schema SET sql = replace(sql,
    'state IN (''pending'', ''delivered'', ''dead'')',
    '(state = ''pending'' OR state = ''delivered'' OR state = ''dead'')')
WHERE type = 'table' AND name = 'outbox';
UPDATE sqlite_schema SET sql = replace(sql,
    'outcome IN (''answered'', ''item-opened'', ''transferred'', ''missed'', ''recorded'')',
    '(outcome = ''answered'' OR outcome = ''item-opened'' OR outcome = ''transferred'' OR outcome = ''missed'' OR outcome = ''recorded'')')
WHERE type = 'table' AND name = 'call';
UPDATE sqlite_schema SET sql = replace(sql,
    'method IN (''cash'', ''transfer'', ''online'', ''postal'')',
    '(method = ''cash'' OR method = ''transfer'' OR method = ''online'' OR method = ''postal'')')
WHERE type = 'table' AND name = 'payment';
UPDATE sqlite_schema SET sql = replace(replace(replace(replace(replace(replace(sql,
    'channel IN (''counter'', ''hotline'', ''web'', ''mobile'', ''open311'', ''post'', ''email'')',
    '(channel = ''counter'' OR channel = ''hotline'' OR channel = ''web'' OR channel = ''mobile'' OR channel = ''open311'' OR channel = ''post'' OR channel = ''email'')'),
    'priority IN (''normal'', ''priority'', ''urgent'')',
    '(priority = ''normal'' OR priority = ''priority'' OR priority = ''urgent'')'),
    'state IN (''new'', ''queued'', ''in-progress'', ''awaiting-citizen'', ''resolved'', ''returned'', ''rejected'', ''withdrawn'')',
    '(state = ''new'' OR state = ''queued'' OR state = ''in-progress'' OR state = ''awaiting-citizen'' OR state = ''resolved'' OR state = ''returned'' OR state = ''rejected'' OR state = ''withdrawn'')'),
    'outcome IN (''granted'', ''answered'', ''refused'')',
    '(outcome = ''granted'' OR outcome = ''answered'' OR outcome = ''refused'')'),
    'rating IN (''very-satisfied'', ''satisfied'', ''dissatisfied'')',
    '(rating = ''very-satisfied'' OR rating = ''satisfied'' OR rating = ''dissatisfied'')'),
    'timeliness IN (''early'', ''on-time'', ''late'')',
    '(timeliness = ''early'' OR timeliness = ''on-time'' OR timeliness = ''late'')')
WHERE type = 'table' AND name = 'ticket';
UPDATE sqlite_schema SET sql = replace(sql,
    'content_type IN (''application/pdf'', ''image/jpeg'', ''image/png'', ''image/tiff'')',
    '(content_type = ''application/pdf'' OR content_type = ''image/jpeg'' OR content_type = ''image/png'' OR content_type = ''image/tiff'')')
WHERE type = 'table' AND name = 'stored_file';

PRAGMA writable_schema = RESET;

-- Bits 1, 10 and 11 of the online figures, by comparisons (the rest as 0032 wrote it).
DROP VIEW online_ticket;
CREATE VIEW online_ticket AS
SELECT t.code AS ticket, t.received_at AS received_at, t.service AS service, coalesce(t.department, '-') AS department,
    1
    + (CASE WHEN (t.channel = 'web' OR t.channel = 'mobile' OR t.channel = 'email') THEN 2 ELSE 0 END)
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
    + (CASE WHEN NOT (t.channel = 'web' OR t.channel = 'mobile' OR t.channel = 'email') AND t.documents_to_digitise > 0 THEN 1024 ELSE 0 END)
    + (CASE WHEN NOT (t.channel = 'web' OR t.channel = 'mobile' OR t.channel = 'email') AND t.documents_to_digitise > 0
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
