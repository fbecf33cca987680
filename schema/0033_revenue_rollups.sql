-- Revenue rollups (issue 17; docs/reports.md, revenue): the fees and charges billed on dossiers
-- (Circular 85/2019/TT-BTC: lệ phí and phí; the service prices of Decree 61/2018/NĐ-CP Art. 7) and
-- what was collected or exempted on them, per local day of acceptance and per group — all tickets,
-- a department, a service, a channel, a holder — so a report over a long period reads a row per day
-- and group instead of a row per dossier and its payments.
--
-- What was paid on a dossier is recorded after its day, so it is kept per ticket first:
-- `revenue_counted` holds each ticket with charges (and accepted) with its charges and the sums of
-- all its payments, as if the period ran to the end of time (the view `revenue_ticket` is the
-- report's straight query without the period's end), and whenever the ticket or one of its
-- payments is written the triggers below count that ticket again (`revenue_recount`: its row
-- rewritten when it differs, taken out when the ticket no longer bears charges).
-- `revenue_rollup` is the sum of those rows per day and group, kept by the triggers on
-- `revenue_counted`.
--
-- A payment counts in a period only when it was made before the period's end. `revenue_latest` is
-- the latest payment counted and `revenue_longest_lag` the longest time from a ticket's acceptance
-- to its latest payment: when the latest payment is before a period's end the rollups are the
-- period's figures; otherwise only the tickets accepted at least the longest lag before the end are
-- sure to have had all their payments before it, and the report reads the days after as rows.
-- Both only grow (a bound is all the report needs) and are counted afresh with the rollups.
--
-- Kept only while the rollups are built (report_rollup.utc_offset not NULL); ServiceDesk counts
-- them afresh with the others (AppDatabase.rebuildRevenueRollups). A migration that rebuilds ticket
-- or payment must create their triggers again.
ALTER TABLE report_rollup ADD COLUMN revenue_latest INTEGER NOT NULL DEFAULT 0;       -- seconds
ALTER TABLE report_rollup ADD COLUMN revenue_longest_lag INTEGER NOT NULL DEFAULT 0;  -- seconds, acceptance → latest payment
UPDATE report_rollup SET utc_offset = NULL;

CREATE TABLE revenue_counted (
    ticket TEXT PRIMARY KEY,
    day INTEGER NOT NULL,                            -- local day of accepted_at, since 1970-01-01
    department TEXT NOT NULL,                        -- '-' for none
    service TEXT NOT NULL,
    channel TEXT NOT NULL,
    holder TEXT NOT NULL,                            -- '-' for none
    le_phi INTEGER NOT NULL,                         -- the charges, VND
    phi INTEGER NOT NULL,
    service_price INTEGER NOT NULL,
    retained INTEGER NOT NULL,
    collected INTEGER NOT NULL,                      -- payments 'paid', of any method
    collected_online INTEGER NOT NULL,               -- of them, method 'online'
    exempted INTEGER NOT NULL,                       -- payments 'exempt'
    accepted_at INTEGER NOT NULL,
    latest INTEGER NOT NULL                          -- the latest payment's moment (0: none)
) WITHOUT ROWID;

CREATE TABLE revenue_rollup (
    kind TEXT NOT NULL,                              -- all, department, service, channel, staff
    day INTEGER NOT NULL,
    key TEXT NOT NULL,                               -- 'all', or the group's code ('-' for none)
    tickets INTEGER NOT NULL,
    le_phi INTEGER NOT NULL,
    phi INTEGER NOT NULL,
    service_price INTEGER NOT NULL,
    retained INTEGER NOT NULL,
    collected INTEGER NOT NULL,
    collected_online INTEGER NOT NULL,
    exempted INTEGER NOT NULL,
    PRIMARY KEY (kind, day, key)
) WITHOUT ROWID;

-- Each ticket with charges as the report counts it, with every payment it has (the straight
-- path's query, AppDatabase.revenueSQL, without the period's end).
--
-- Sums never fail a write: the payments are summed by total() (a real number, stored back as an
-- integer by the columns' affinity whenever it is one), and the rollups' `+` gives a real number
-- where an integer would overflow. Amounts are bounded at write, so only values stored before the
-- bounds can come near; the report takes a rolled-up sum only as an integer within 2^53 and
-- otherwise reads the rows, which sum exactly or refuse with a clear conflict
-- (AppDatabase.rolledUpRevenue).
CREATE VIEW revenue_ticket AS
SELECT t.code AS ticket, t.accepted_at AS accepted_at, coalesce(t.department, '-') AS department, t.service AS service,
    t.channel AS channel, coalesce(t.holder, '-') AS holder,
    t.charge_le_phi AS le_phi, t.charge_phi AS phi, t.charge_service_price AS service_price, t.charge_retained AS retained,
    (SELECT total(p.amount) FROM payment p WHERE p.ticket = t.code AND p.kind = 'paid') AS collected,
    (SELECT total(p.amount) FROM payment p WHERE p.ticket = t.code AND p.kind = 'paid' AND p.method = 'online') AS collected_online,
    (SELECT total(p.amount) FROM payment p WHERE p.ticket = t.code AND p.kind = 'exempt') AS exempted,
    coalesce((SELECT max(p.at) FROM payment p WHERE p.ticket = t.code), 0) AS latest
FROM ticket t
WHERE t.charge_lines > 0 AND t.accepted_at IS NOT NULL;

-- Adding a ticket's row to revenue_rollup (sign 1) or taking it out (sign -1): the row of each of
-- its five groups, a group's row gone when no ticket is left in it; a row put in raises the latest
-- payment and the longest lag. A view with an INSTEAD OF trigger is SQLite's way to name a statement
-- once: nothing is stored.
CREATE VIEW revenue_count AS
SELECT NULL AS sign, NULL AS day, NULL AS department, NULL AS service, NULL AS channel, NULL AS holder, NULL AS le_phi, NULL AS phi,
    NULL AS service_price, NULL AS retained, NULL AS collected, NULL AS collected_online, NULL AS exempted, NULL AS accepted_at,
    NULL AS latest;

CREATE TRIGGER revenue_count INSTEAD OF INSERT ON revenue_count
BEGIN
    INSERT INTO revenue_rollup (kind, day, key, tickets, le_phi, phi, service_price, retained, collected, collected_online, exempted)
    SELECT g.column1, new.day, g.column2, new.sign, new.sign * new.le_phi, new.sign * new.phi, new.sign * new.service_price,
        new.sign * new.retained, new.sign * new.collected, new.sign * new.collected_online, new.sign * new.exempted
    FROM (VALUES ('all', 'all'), ('department', new.department), ('service', new.service), ('channel', new.channel), ('staff', new.holder)) g
    WHERE true
    ON CONFLICT (kind, day, key) DO UPDATE SET tickets = tickets + excluded.tickets, le_phi = le_phi + excluded.le_phi,
        phi = phi + excluded.phi, service_price = service_price + excluded.service_price, retained = retained + excluded.retained,
        collected = collected + excluded.collected, collected_online = collected_online + excluded.collected_online,
        exempted = exempted + excluded.exempted;
    -- (The day apart from the row value: SQLite then finds each group's row by the whole key.)
    DELETE FROM revenue_rollup WHERE new.sign < 0 AND tickets <= 0 AND day = new.day AND (kind, key) IN (
        SELECT column1, column2
        FROM (VALUES ('all', 'all'), ('department', new.department), ('service', new.service), ('channel', new.channel), ('staff', new.holder)));
    UPDATE report_rollup SET revenue_latest = max(revenue_latest, new.latest),
        revenue_longest_lag = max(revenue_longest_lag, new.latest - new.accepted_at)
    WHERE new.sign > 0 AND (new.latest > revenue_latest OR new.latest - new.accepted_at > revenue_longest_lag);
END;

CREATE TRIGGER revenue_counted_insert AFTER INSERT ON revenue_counted
WHEN (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    INSERT INTO revenue_count VALUES (1, new.day, new.department, new.service, new.channel, new.holder, new.le_phi, new.phi,
        new.service_price, new.retained, new.collected, new.collected_online, new.exempted, new.accepted_at, new.latest);
END;

CREATE TRIGGER revenue_counted_update AFTER UPDATE ON revenue_counted
WHEN (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    INSERT INTO revenue_count VALUES (-1, old.day, old.department, old.service, old.channel, old.holder, old.le_phi, old.phi,
        old.service_price, old.retained, old.collected, old.collected_online, old.exempted, old.accepted_at, old.latest);
    INSERT INTO revenue_count VALUES (1, new.day, new.department, new.service, new.channel, new.holder, new.le_phi, new.phi,
        new.service_price, new.retained, new.collected, new.collected_online, new.exempted, new.accepted_at, new.latest);
END;

CREATE TRIGGER revenue_counted_delete AFTER DELETE ON revenue_counted
WHEN (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    INSERT INTO revenue_count VALUES (-1, old.day, old.department, old.service, old.channel, old.holder, old.le_phi, old.phi,
        old.service_price, old.retained, old.collected, old.collected_online, old.exempted, old.accepted_at, old.latest);
END;

-- Counting a ticket again: `INSERT INTO revenue_recount (ticket) VALUES (…)` takes its row out when
-- it no longer bears charges (or is not accepted), else upserts the view's row into
-- revenue_counted, written only when it differs.
CREATE VIEW revenue_recount AS SELECT NULL AS ticket;

CREATE TRIGGER revenue_recount INSTEAD OF INSERT ON revenue_recount
BEGIN
    DELETE FROM revenue_counted WHERE ticket = new.ticket
        AND NOT EXISTS (SELECT 1 FROM ticket t WHERE t.code = new.ticket AND t.charge_lines > 0 AND t.accepted_at IS NOT NULL);
    INSERT INTO revenue_counted (ticket, day, department, service, channel, holder, le_phi, phi, service_price, retained, collected,
        collected_online, exempted, accepted_at, latest)
    SELECT v.ticket, (v.accepted_at + r.utc_offset) / 86400, v.department, v.service, v.channel, v.holder, v.le_phi, v.phi,
        v.service_price, v.retained, v.collected, v.collected_online, v.exempted, v.accepted_at, v.latest
    FROM revenue_ticket v, report_rollup r WHERE v.ticket = new.ticket AND r.utc_offset IS NOT NULL
    ON CONFLICT (ticket) DO UPDATE SET day = excluded.day, department = excluded.department, service = excluded.service,
        channel = excluded.channel, holder = excluded.holder, le_phi = excluded.le_phi, phi = excluded.phi,
        service_price = excluded.service_price, retained = excluded.retained, collected = excluded.collected,
        collected_online = excluded.collected_online, exempted = excluded.exempted, accepted_at = excluded.accepted_at,
        latest = excluded.latest
    WHERE (day, department, service, channel, holder, le_phi, phi, service_price, retained, collected, collected_online, exempted,
            accepted_at, latest)
        IS NOT (excluded.day, excluded.department, excluded.service, excluded.channel, excluded.holder, excluded.le_phi, excluded.phi,
            excluded.service_price, excluded.retained, excluded.collected, excluded.collected_online, excluded.exempted,
            excluded.accepted_at, excluded.latest);
END;

CREATE TRIGGER revenue_ticket_insert AFTER INSERT ON ticket
WHEN new.charge_lines > 0 AND new.accepted_at IS NOT NULL AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    INSERT INTO revenue_recount (ticket) VALUES (new.code);
END;

CREATE TRIGGER revenue_ticket_update AFTER UPDATE OF accepted_at, department, service, channel, holder, charge_lines, charge_le_phi, charge_phi, charge_service_price, charge_retained ON ticket
WHEN (old.charge_lines > 0 OR new.charge_lines > 0) AND (SELECT utc_offset FROM report_rollup) IS NOT NULL
    AND (old.accepted_at IS NOT new.accepted_at OR old.department IS NOT new.department OR old.service IS NOT new.service OR old.channel IS NOT new.channel OR old.holder IS NOT new.holder OR old.charge_lines IS NOT new.charge_lines OR old.charge_le_phi IS NOT new.charge_le_phi OR old.charge_phi IS NOT new.charge_phi OR old.charge_service_price IS NOT new.charge_service_price OR old.charge_retained IS NOT new.charge_retained)
BEGIN
    INSERT INTO revenue_recount (ticket) VALUES (new.code);
END;

-- A ticket's code never changes (the dossier code, referenced by every table); a deleted ticket
-- is counted out.
CREATE TRIGGER revenue_ticket_delete AFTER DELETE ON ticket
WHEN old.charge_lines > 0
BEGIN
    DELETE FROM revenue_counted WHERE ticket = old.code;
END;

-- The payments: every kind and method counts (what was collected, online or not, and exempted).
CREATE TRIGGER revenue_payment_insert AFTER INSERT ON payment
WHEN (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    INSERT INTO revenue_recount (ticket) VALUES (new.ticket);
END;

CREATE TRIGGER revenue_payment_update AFTER UPDATE OF ticket, kind, method, amount, at ON payment
WHEN (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    INSERT INTO revenue_recount (ticket) VALUES (new.ticket);
    INSERT INTO revenue_recount (ticket) SELECT old.ticket WHERE old.ticket IS NOT new.ticket;
END;

CREATE TRIGGER revenue_payment_delete AFTER DELETE ON payment
WHEN (SELECT utc_offset FROM report_rollup) IS NOT NULL
BEGIN
    INSERT INTO revenue_recount (ticket) VALUES (old.ticket);
END;
