-- 0016: the hotline's call log (docs/hotline.md). Every call — logged by an operator or reported
-- by the switchboard (PBX hooks at start and end) — with its caller, times, operator, outcome and
-- the ticket it opened; a missed or after-hours call owes the caller a call back, due at the next
-- opening (after hours) or an hour later (missed in working hours).
CREATE TABLE call (
    id INTEGER PRIMARY KEY,
    pbx_id TEXT UNIQUE,                              -- the switchboard's id of the call
    caller TEXT NOT NULL,                            -- +84…, another number, or 'unknown'
    started_at INTEGER NOT NULL,
    ended_at INTEGER,                                -- NULL while the call goes on
    operator TEXT REFERENCES staff (username),
    outcome TEXT CHECK (outcome IN ('answered', 'item-opened', 'transferred', 'missed', 'recorded')),
    ticket TEXT REFERENCES ticket (code),
    recording TEXT,
    note TEXT,
    callback_due_at INTEGER,
    callback_done_at INTEGER,
    callback_by TEXT REFERENCES staff (username),
    created_by TEXT NOT NULL
);
CREATE INDEX call_started ON call (started_at);
CREATE INDEX call_callbacks ON call (callback_due_at) WHERE callback_due_at IS NOT NULL AND callback_done_at IS NULL;
