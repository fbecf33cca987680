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

CREATE INDEX ticket_accepted ON ticket (accepted_at);
CREATE INDEX ticket_resolved ON ticket (resolved_at);
CREATE INDEX ticket_returned ON ticket (returned_at);
CREATE INDEX queue_number_issued ON queue_number (issued_at);
