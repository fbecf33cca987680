-- ServiceDesk schema, migration 0001: the centre, its calendar and catalogue, staff and
-- tokens, the idempotency store and the append-only, hash-chained event log.
--
-- Conventions (see docs/architecture.md):
--   * instants are INTEGER seconds since the Unix epoch (UTC); local dates are TEXT 'YYYY-MM-DD';
--   * money is INTEGER VND;
--   * booleans are INTEGER 0/1;
--   * nothing referenced is ever deleted (foreign keys without cascade; deactivate instead).
-- Once landed, this file is never edited: later changes come as new numbered files.

CREATE TABLE centre (
    id INTEGER PRIMARY KEY CHECK (id = 1),          -- exactly one centre per database
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('administrative-body', 'public-service-unit')),
    autonomy_group INTEGER CHECK (autonomy_group BETWEEN 1 AND 4),
    timezone TEXT NOT NULL,
    intake_cutoff TEXT NOT NULL,                     -- 'HH:MM' local time
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Working periods per ISO weekday (1 = Monday … 7 = Sunday), local time 'HH:MM'.
CREATE TABLE working_period (
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    start TEXT NOT NULL,
    "end" TEXT NOT NULL,
    PRIMARY KEY (weekday, start)
) WITHOUT ROWID;

-- Public holidays and make-up working days, by local date.
CREATE TABLE calendar_day (
    date TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE department (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('internal', 'authority')),
    decides INTEGER NOT NULL DEFAULT 0 CHECK (decides IN (0, 1)),
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE staff (
    username TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'officer', 'handler', 'integration', 'kiosk', 'display')),
    department TEXT REFERENCES department (code),
    employment TEXT NOT NULL CHECK (employment IN ('civil-servant', 'public-employee', 'contract')),
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX staff_department ON staff (department);

-- API tokens: only the SHA-256 of the token is kept; the token itself is shown once.
CREATE TABLE token (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES staff (username),
    hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
) WITHOUT ROWID;
CREATE INDEX token_username ON token (username);

CREATE TABLE service (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('procedure', 'feedback', 'inquiry', 'complaint')),
    time_limit TEXT NOT NULL,                        -- 'N d' (working days) or 'N h' (working hours)
    deciding_step INTEGER,                           -- index into service_step, or NULL
    legal_basis TEXT,
    supplement_rule TEXT NOT NULL CHECK (supplement_rule IN ('restart', 'pause')),
    queue_prefix TEXT CHECK (queue_prefix IS NULL OR length(queue_prefix) = 1),
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    version INTEGER NOT NULL DEFAULT 1,              -- bumped on every change; tickets record it
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- The route (liên thông): ordered steps, each at a department with its own allowance.
CREATE TABLE service_step (
    service TEXT NOT NULL REFERENCES service (code),
    position INTEGER NOT NULL CHECK (position >= 0),
    department TEXT NOT NULL REFERENCES department (code),
    allowance TEXT,
    task TEXT,
    PRIMARY KEY (service, position)
) WITHOUT ROWID;
CREATE INDEX service_step_department ON service_step (department);

CREATE TABLE service_charge (
    service TEXT NOT NULL REFERENCES service (code),
    position INTEGER NOT NULL CHECK (position >= 0),
    kind TEXT NOT NULL CHECK (kind IN ('le-phi', 'phi', 'service-price')),
    amount INTEGER NOT NULL CHECK (amount >= 0),
    remittance TEXT NOT NULL CHECK (remittance IN ('budget', 'retained')),
    label TEXT,
    PRIMARY KEY (service, position)
) WITHOUT ROWID;

-- Answers to creating requests sent with an Idempotency-Key (SPEC §4), per caller.
CREATE TABLE idempotency (
    username TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,                      -- SHA-256 of method, path and body
    status INTEGER NOT NULL,
    body BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (username, key)
) WITHOUT ROWID;

-- The audit trail: append-only and tamper-evident. Each row's hash is
-- SHA-256(previous hash | canonical text of the row), so an edit made behind the daemon's
-- back breaks the chain. No personal data is ever written here.
CREATE TABLE event (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,                             -- username, or 'system'
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}',               -- JSON
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX event_entity ON event (entity, entity_id, id);

CREATE TRIGGER event_no_update BEFORE UPDATE ON event
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

CREATE TRIGGER event_no_delete BEFORE DELETE ON event
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
