-- 0011: the paper a counter hands out (Circular 03/2025/TT-VPCP, Phụ lục I; docs/forms.md).
-- Each form kind has its own yearly, gap-free number sequence, taken in the transaction of the
-- event that issues the form, and the number is stored with that event, so a reprint shows the
-- same number. The centre gains what the header of an administrative document needs (Decree
-- 30/2020/NĐ-CP, Phụ lục I): the issuing body above it and the place name of the date line.
CREATE TABLE document_sequence (
    kind TEXT NOT NULL,                   -- '01' … '05' (FormKind)
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (kind, year)
) WITHOUT ROWID;

CREATE TABLE document_number (
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    number INTEGER NOT NULL,
    ticket TEXT NOT NULL REFERENCES ticket (code),
    event_id INTEGER NOT NULL REFERENCES event (id),
    issued_at INTEGER NOT NULL,
    PRIMARY KEY (kind, year, number)
) WITHOUT ROWID;
CREATE INDEX document_number_ticket ON document_number (ticket, kind, event_id);

ALTER TABLE centre ADD COLUMN issuing_body TEXT;   -- e.g. 'UBND QUẬN BA ĐÌNH' (cơ quan chủ quản)
ALTER TABLE centre ADD COLUMN place TEXT;          -- e.g. 'Hà Nội' (địa danh of the date line)
