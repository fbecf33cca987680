-- ServiceDesk schema, migration 0002: tickets (dossiers and requests), their applicants,
-- the per-day dossier sequence, the control sheet of route steps, and full-text search.
-- Same conventions as 0001. Personal data lives only in `applicant` and `applicant_search`.

-- The citizen or organisation behind tickets. Pseudonymising replaces these columns only.
CREATE TABLE applicant (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('person', 'organisation')),
    name TEXT NOT NULL,
    id_number TEXT,
    tax_code TEXT,
    phone TEXT,                                      -- international form, +84…
    email TEXT,
    address TEXT,
    representative TEXT,                             -- JSON, or NULL
    representative_phone TEXT,                       -- international form, for the public lookup
    created_at INTEGER NOT NULL,
    pseudonymised_at INTEGER
);
CREATE INDEX applicant_phone ON applicant (phone);
CREATE INDEX applicant_id_number ON applicant (id_number);

-- One row per reception day: the last sequence number handed out (codes never repeat or skip).
CREATE TABLE dossier_sequence (
    day TEXT PRIMARY KEY,                            -- YYMMDD in the centre's time zone
    last INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE ticket (
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
    state TEXT NOT NULL CHECK (state IN ('queued', 'in-progress', 'awaiting-citizen', 'resolved', 'returned', 'rejected', 'withdrawn')),
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
) WITHOUT ROWID;
-- "Queue next" (SPEC §2: priority, then earliest due, then oldest) reads the first entry of this
-- partial index, whatever the length of the queue; the ORDER BY of AppDatabase.queueSQL must
-- repeat these expressions exactly.
CREATE INDEX ticket_next ON ticket (
    department, (CASE priority WHEN 'urgent' THEN 0 WHEN 'priority' THEN 1 ELSE 2 END), due_at, received_at, code
) WHERE state = 'queued';
CREATE INDEX ticket_department ON ticket (department, state);
CREATE INDEX ticket_state ON ticket (state, due_at);
CREATE INDEX ticket_received ON ticket (received_at);
CREATE INDEX ticket_applicant ON ticket (applicant);
CREATE INDEX ticket_created_by ON ticket (created_by, received_at);

-- The control sheet (phiếu kiểm soát quá trình): one row per visit of a route step.
CREATE TABLE ticket_step (
    ticket TEXT NOT NULL REFERENCES ticket (code),
    visit INTEGER NOT NULL,                          -- 1, 2, … in order
    position INTEGER,                                -- route step index, NULL for a named transfer
    department TEXT NOT NULL REFERENCES department (code),
    allowance TEXT,
    entered_at INTEGER NOT NULL,
    due_at INTEGER,
    claimed_at INTEGER,
    left_at INTEGER,
    grade TEXT CHECK (grade IN ('early', 'on-time', 'late')),
    PRIMARY KEY (ticket, visit)
) WITHOUT ROWID;

-- Full-text search over folded text (lower case, no diacritics, đ → d; see TextFolding).
-- The applicant's part is kept apart so pseudonymising rewrites it without touching tickets.
CREATE VIRTUAL TABLE ticket_search USING fts5 (code UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE applicant_search USING fts5 (applicant UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2');
