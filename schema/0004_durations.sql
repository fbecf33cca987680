-- ServiceDesk schema, migration 0004: what reports read, stored once when it happens
-- (see docs/reports.md): the moment a dossier was accepted (the clock's first start), the
-- working time spent waiting on the citizen, and, at resolution, the handling time in working
-- and calendar minutes and the timeliness grade.
ALTER TABLE ticket ADD COLUMN accepted_at INTEGER;
ALTER TABLE ticket ADD COLUMN paused_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ticket ADD COLUMN handling_working_minutes INTEGER;
ALTER TABLE ticket ADD COLUMN handling_calendar_minutes INTEGER;
ALTER TABLE ticket ADD COLUMN timeliness TEXT CHECK (timeliness IN ('early', 'on-time', 'late'));

UPDATE ticket SET accepted_at = received_at WHERE counting_start IS NOT NULL;

-- Covering indexes of the reports (docs/benchmarks.md): a report over a year of a million
-- tickets reads these instead of the wide ticket rows.
CREATE INDEX ticket_progress ON ticket (
    accepted_at, resolved_at, closed_at, due_at, timeliness, state, channel, department, service, apologised_at, holder
);
CREATE INDEX ticket_handling ON ticket (
    resolved_at, handling_working_minutes, handling_calendar_minutes, paused_minutes, department, service, channel, holder
);
CREATE INDEX ticket_returned ON ticket (returned_at, rating, department, service, channel, holder);

-- The per-step split of handling-times reads the steps of tickets resolved in a period: the
-- ticket's resolution moment is copied onto its steps so that a range scan finds them.
ALTER TABLE ticket_step ADD COLUMN ticket_resolved_at INTEGER;
CREATE INDEX ticket_step_resolved ON ticket_step (ticket_resolved_at, department, entered_at, claimed_at, left_at)
    WHERE ticket_resolved_at IS NOT NULL;
CREATE INDEX queue_number_issued ON queue_number (issued_at);
