-- ServiceDesk schema, migration 0008: what the rules core (Sources/ServiceDesk/Rules) needs
-- stored (docs/tickets.md).
--
-- The decision taken at a route's deciding step (granted or refused), so that the step is
-- passed only by a decision and the later steps return what was decided (SPEC §1, §2).
ALTER TABLE ticket ADD COLUMN decision TEXT CHECK (decision IN ('granted', 'refused'));
ALTER TABLE ticket ADD COLUMN decided_by TEXT;

-- Whether a reception after the centre's cut-off counts as received on the next working day
-- (Decree 61/2018 art. 18); NULL: the default (on for procedures with a time limit in days
-- other than 0 d, off for same-day services and feedback).
ALTER TABLE service ADD COLUMN applies_cutoff INTEGER CHECK (applies_cutoff IN (0, 1));

-- Settings of the centre in working days: the latest day an apology and new appointment may
-- be issued before the due date (Decree 61/2018 art. 19(9): at least one day before), and how
-- close to its due moment an open ticket is "at risk".
ALTER TABLE centre ADD COLUMN apology_lead_days INTEGER NOT NULL DEFAULT 1 CHECK (apology_lead_days BETWEEN 0 AND 30);
ALTER TABLE centre ADD COLUMN at_risk_days INTEGER NOT NULL DEFAULT 1 CHECK (at_risk_days BETWEEN 0 AND 30);

-- The default opening hours were 07:30–11:30 and 13:30–17:00 (7.5 hours), against the 8-hour
-- working day of SPEC §3 that limits in days and hours are compared with. A centre still on
-- exactly that old default gets the corrected one (13:00–17:00); any other hours were chosen
-- by an administrator and stay.
UPDATE working_period SET start = '13:00'
WHERE start = '13:30' AND "end" = '17:00'
    AND (SELECT count(*) FROM working_period) = 10
    AND (SELECT count(*) FROM working_period WHERE weekday BETWEEN 1 AND 5
        AND ((start = '07:30' AND "end" = '11:30') OR (start = '13:30' AND "end" = '17:00'))) = 10;

-- Overdue is one definition (docs/tickets.md): a ticket waiting on the citizen is compared at
-- the moment its clock stopped, so the progress report reads paused_at too; its covering index
-- gains the column.
DROP INDEX ticket_progress;
CREATE INDEX ticket_progress ON ticket (
    accepted_at, resolved_at, closed_at, due_at, paused_at, timeliness, state, channel, department, service, apologised_at, holder
);

-- Idempotency keys expire after a day; every remembered answer deletes the expired ones, by
-- this index instead of a scan.
CREATE INDEX idempotency_created ON idempotency (created_at);

-- A walk-in number transferred to another service keeps its place among the numbers issued in
-- the same second: the id of the number first issued, which the queue orders by after the issue
-- time (NULL: the number's own id).
ALTER TABLE queue_number ADD COLUMN queue_position INTEGER;
