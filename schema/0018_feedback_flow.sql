-- 0018: the feedback flow of a citizen connection centre (docs/feedback.md).
--
-- Severity classes (Hanoi QĐ 1207/QĐ-UBND of 28/02/2025: khẩn, phức tạp, bình thường), the
-- centre's setting: each with its own time limit (NULL: the service's own) and whether it
-- counts in clock time (round the clock) rather than working time. A ticket keeps the terms
-- of the class it was given when given (ticket.severity_*): a later change of a class's
-- settings does not move a promised due moment.
CREATE TABLE severity_class (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    time_limit TEXT,                                 -- 'N d' / 'N h'; NULL: the service's time limit
    round_the_clock INTEGER NOT NULL DEFAULT 0,
    position INTEGER NOT NULL DEFAULT 0
);
INSERT INTO severity_class (code, name, time_limit, round_the_clock, position) VALUES
    ('urgent', 'Khẩn', '4 h', 0, 0),
    ('complex', 'Phức tạp', NULL, 0, 1),
    ('normal', 'Bình thường', NULL, 0, 2);

ALTER TABLE ticket ADD COLUMN severity TEXT;
ALTER TABLE ticket ADD COLUMN severity_limit TEXT;
ALTER TABLE ticket ADD COLUMN round_the_clock INTEGER NOT NULL DEFAULT 0;
-- An item classed a complaint or a denunciation, closed here with guidance (Law on Complaints
-- 2011, Law on Denunciations 2018): counted apart from feedback.
ALTER TABLE ticket ADD COLUMN nature TEXT;
-- How many times the citizen reopened the item (at most once).
ALTER TABLE ticket ADD COLUMN reopened INTEGER NOT NULL DEFAULT 0;
-- A duplicate merged into another item: its reporter is told what the other is told.
ALTER TABLE ticket ADD COLUMN merged_into TEXT;
CREATE INDEX ticket_merged_into ON ticket (merged_into) WHERE merged_into IS NOT NULL;

-- The centre's limits: acceptance by the responsible body (Hanoi: 8 working hours) and the
-- days within which a citizen may reopen a resolved item.
ALTER TABLE centre ADD COLUMN acceptance_limit TEXT NOT NULL DEFAULT '8 h';
ALTER TABLE centre ADD COLUMN reopen_days INTEGER NOT NULL DEFAULT 10;

-- An outside agency (a department of kind authority) keeps its contact in the catalogue.
ALTER TABLE department ADD COLUMN contact TEXT;

-- Forwarding to the responsible body (Decree 20/2008/NĐ-CP as amended by 48/2013: within 5 working days of
-- reception): one row per body asked, one of them leading; each accepts or sends back.
CREATE TABLE forward (
    id INTEGER PRIMARY KEY,
    ticket TEXT NOT NULL REFERENCES ticket (code),
    body TEXT NOT NULL REFERENCES department (code),
    lead INTEGER NOT NULL,
    from_department TEXT,
    sent_at INTEGER NOT NULL,
    sent_by TEXT NOT NULL,
    grade TEXT,                                      -- forwarded within 5 working days of reception
    accept_due INTEGER NOT NULL,
    accepted_at INTEGER,
    accepted_by TEXT,
    acceptance_grade TEXT,                           -- on-time | late against accept_due
    sent_back_at INTEGER,
    sent_back_by TEXT,
    sent_back_reason TEXT
);
CREATE INDEX forward_ticket ON forward (ticket, id);
CREATE INDEX forward_pending ON forward (body) WHERE accepted_at IS NULL AND sent_back_at IS NULL;

-- Photos with progress: links to pictures the responsible body took (JSON array of URLs).
ALTER TABLE progress_post ADD COLUMN photos TEXT NOT NULL DEFAULT '[]';
