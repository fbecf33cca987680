-- 0021: online reception (Decree 61/2018 art. 17(2); docs/tickets.md): a dossier a portal files
-- starts `new` (portal status 1), with no clock, until an officer receives it. SQLite cannot
-- change a CHECK constraint in place, so the ticket table is rebuilt with `new` among its states
-- (the documented procedure: a new table, the rows copied, the old one dropped, the new one
-- renamed, its indexes made again; the migration runs with foreign key checks deferred, so the
-- tables that refer to tickets keep their references).
CREATE TABLE ticket_new (
    code TEXT PRIMARY KEY,                           -- {centre}-{YYMMDD}-{NNNN}
    service TEXT NOT NULL REFERENCES service (code),
    service_version INTEGER NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('counter', 'hotline', 'web', 'mobile', 'open311', 'post', 'email')),
    applicant INTEGER NOT NULL REFERENCES applicant (id),
    description TEXT NOT NULL DEFAULT '',
    location_address TEXT,
    location_lat REAL,
    location_long REAL,
    documents TEXT NOT NULL DEFAULT '[]',            -- JSON list of documents received
    priority TEXT NOT NULL CHECK (priority IN ('normal', 'priority', 'urgent')),
    priority_reason TEXT,
    charges TEXT NOT NULL DEFAULT '[]',              -- JSON, the service's charges at intake
    state TEXT NOT NULL CHECK (state IN ('new', 'queued', 'in-progress', 'awaiting-citizen', 'resolved', 'returned', 'rejected', 'withdrawn')),
    awaiting_reason TEXT CHECK (awaiting_reason IN ('supplement', 'payment')),
    resume_state TEXT,                               -- where supplement-received returns to
    step INTEGER,                                    -- index of the current route step
    department TEXT REFERENCES department (code),
    holder TEXT REFERENCES staff (username),
    received_at INTEGER NOT NULL,
    counting_start INTEGER,                          -- NULL while the dossier is incomplete at intake
    due_at INTEGER,
    revised_due_at INTEGER,
    paused_at INTEGER,                               -- set while a `pause` clock is stopped
    resolved_at INTEGER,
    returned_at INTEGER,
    closed_at INTEGER,                               -- rejected or withdrawn
    outcome TEXT CHECK (outcome IN ('granted', 'answered', 'refused')),
    outcome_note TEXT,
    early_return INTEGER,
    rating TEXT CHECK (rating IN ('very-satisfied', 'satisfied', 'dissatisfied')),
    rating_comment TEXT,
    apologised_at INTEGER,
    supplement_requests INTEGER NOT NULL DEFAULT 0,  -- at the current stage
    queue_number TEXT,
    created_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
, accepted_at INTEGER, paused_minutes INTEGER NOT NULL DEFAULT 0, handling_working_minutes INTEGER, handling_calendar_minutes INTEGER, timeliness TEXT CHECK (timeliness IN ('early', 'on-time', 'late')), charge_lines INTEGER NOT NULL DEFAULT 0, charge_le_phi INTEGER NOT NULL DEFAULT 0, charge_phi INTEGER NOT NULL DEFAULT 0, charge_service_price INTEGER NOT NULL DEFAULT 0, charge_retained INTEGER NOT NULL DEFAULT 0, decision TEXT CHECK (decision IN ('granted', 'refused')), decided_by TEXT, severity TEXT, severity_limit TEXT, round_the_clock INTEGER NOT NULL DEFAULT 0, nature TEXT, reopened INTEGER NOT NULL DEFAULT 0, merged_into TEXT) WITHOUT ROWID;
INSERT INTO ticket_new SELECT * FROM ticket;
DROP TABLE ticket;
ALTER TABLE ticket_new RENAME TO ticket;
CREATE INDEX ticket_next ON ticket (
    department, (CASE priority WHEN 'urgent' THEN 0 WHEN 'priority' THEN 1 ELSE 2 END), due_at, received_at, code
) WHERE state = 'queued';
CREATE INDEX ticket_department ON ticket (department, state);
CREATE INDEX ticket_state ON ticket (state, due_at);
CREATE INDEX ticket_received ON ticket (received_at);
CREATE INDEX ticket_applicant ON ticket (applicant);
CREATE INDEX ticket_created_by ON ticket (created_by, received_at);
CREATE INDEX ticket_handling ON ticket (
    resolved_at, handling_working_minutes, handling_calendar_minutes, paused_minutes, department, service, channel, holder
);
CREATE INDEX ticket_returned ON ticket (returned_at, rating, department, service, channel, holder);
CREATE INDEX ticket_open311 ON ticket (received_at) WHERE channel = 'open311';
CREATE INDEX ticket_revenue ON ticket (
    accepted_at, charge_le_phi, charge_phi, charge_service_price, charge_retained, department, service, channel, holder
) WHERE charge_lines > 0;
CREATE INDEX ticket_progress ON ticket (
    accepted_at, resolved_at, closed_at, due_at, paused_at, timeliness, state, channel, department, service, apologised_at, holder
);
CREATE INDEX ticket_merged_into ON ticket (merged_into) WHERE merged_into IS NOT NULL;

-- The centre's limit for receiving an online dossier, in working time from its submission.
ALTER TABLE centre ADD COLUMN reception_limit TEXT NOT NULL DEFAULT '8 h';
