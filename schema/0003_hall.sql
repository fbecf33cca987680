-- ServiceDesk schema, migration 0003: the walk-in hall — counters, queue numbers, the calls
-- shown on the hall screen, and the hall's settings. Same conventions as 0001.

CREATE TABLE counter (
    number INTEGER PRIMARY KEY CHECK (number > 0),
    name TEXT NOT NULL,
    department TEXT REFERENCES department (code),
    open INTEGER NOT NULL DEFAULT 0 CHECK (open IN (0, 1)),
    officer TEXT REFERENCES staff (username),        -- the officer now at the counter
    priority_streak INTEGER NOT NULL DEFAULT 0,      -- priority numbers called in a row
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- The services each counter serves.
CREATE TABLE counter_service (
    counter INTEGER NOT NULL REFERENCES counter (number),
    service TEXT NOT NULL REFERENCES service (code),
    PRIMARY KEY (counter, service)
) WITHOUT ROWID;

-- The last number handed out per local day and prefix (labels restart every day per prefix).
CREATE TABLE queue_sequence (
    day TEXT NOT NULL,                               -- YYYY-MM-DD in the centre's time zone
    prefix TEXT NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (day, prefix)
) WITHOUT ROWID;

CREATE TABLE queue_number (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL,                             -- prefix + 3 digits, e.g. A012
    day TEXT NOT NULL,
    service TEXT NOT NULL REFERENCES service (code),
    priority TEXT NOT NULL CHECK (priority IN ('normal', 'priority')),
    priority_reason TEXT,
    state TEXT NOT NULL CHECK (state IN ('waiting', 'called', 'serving', 'served', 'no-show', 'transferred', 'closed')),
    issued_at INTEGER NOT NULL,                      -- kept across transfers, for fairness and reports
    called_at INTEGER,
    started_at INTEGER,
    finished_at INTEGER,
    recalls INTEGER NOT NULL DEFAULT 0,
    counter INTEGER REFERENCES counter (number),
    ticket TEXT REFERENCES ticket (code),
    transferred_from INTEGER REFERENCES queue_number (id),
    issued_by TEXT NOT NULL
);
CREATE INDEX queue_number_waiting ON queue_number (service, priority, issued_at, id) WHERE state = 'waiting';
CREATE INDEX queue_number_day ON queue_number (day, label);
CREATE INDEX queue_number_finished ON queue_number (service, finished_at) WHERE state = 'served';

-- Every call and recall, in order: the hall screen's feed (its id is the SSE event id).
CREATE TABLE hall_call (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('call', 'recall')),
    label TEXT NOT NULL,
    counter INTEGER NOT NULL REFERENCES counter (number),
    queue_number INTEGER NOT NULL REFERENCES queue_number (id)
);

-- Settings of the hall (one row).
CREATE TABLE hall_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    max_priority_in_row INTEGER NOT NULL DEFAULT 3 CHECK (max_priority_in_row >= 1),
    recalls_before_no_show INTEGER NOT NULL DEFAULT 2 CHECK (recalls_before_no_show >= 0),
    default_service_minutes INTEGER NOT NULL DEFAULT 10 CHECK (default_service_minutes >= 1),
    priority_reasons TEXT NOT NULL DEFAULT '["elderly","disability","pregnancy","veteran","young-child"]'
);
INSERT INTO hall_settings (id) VALUES (1);
