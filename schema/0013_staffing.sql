-- 0013: the numbers behind the centre's organisational choice (docs/reports.md, staffing-plan).
-- A staff member's career at the centre: where they come from and for how long — history kept,
-- never deleted — and the headcount quotas the competent body assigned, per department and
-- category, with the decision and its validity.
ALTER TABLE staff ADD COLUMN home_agency TEXT;      -- the agency that sent them (cơ quan cử), if not the centre's own
ALTER TABLE staff ADD COLUMN seniority_since TEXT;  -- YYYY-MM-DD: working in the field since (Decree 118/2025 art. 11: ≥ 2 years)
ALTER TABLE staff ADD COLUMN seconded_from TEXT;    -- YYYY-MM-DD: a tour at the desk (12–36 months, idem)
ALTER TABLE staff ADD COLUMN seconded_until TEXT;   -- YYYY-MM-DD, the last day
ALTER TABLE staff ADD COLUMN active_from TEXT;      -- YYYY-MM-DD: first day at the centre
ALTER TABLE staff ADD COLUMN left_on TEXT;          -- YYYY-MM-DD: first day no longer at the centre

CREATE TABLE quota (
    id INTEGER PRIMARY KEY,
    department TEXT REFERENCES department (code),   -- NULL: the centre's own management
    category TEXT NOT NULL CHECK (category IN ('civil-servant', 'public-employee', 'contract')),
    headcount INTEGER NOT NULL CHECK (headcount BETWEEN 0 AND 100000),
    decision TEXT NOT NULL,                          -- e.g. 'Quyết định 123/QĐ-UBND ngày 01/03/2026'
    valid_from TEXT NOT NULL,                        -- YYYY-MM-DD
    valid_until TEXT,                                -- YYYY-MM-DD, the last day; NULL: until replaced
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX quota_department ON quota (department, category, valid_from);

-- Restructuring scenarios: a named what-if (move people, change quotas) answered with the plan it
-- gives, kept so that a director can compare two side by side. A scenario never touches the
-- live configuration.
CREATE TABLE staffing_scenario (
    name TEXT PRIMARY KEY,
    request TEXT NOT NULL,                           -- the scenario as asked (JSON)
    plan TEXT NOT NULL,                              -- the resulting staffing plan (JSON)
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL
) WITHOUT ROWID;
