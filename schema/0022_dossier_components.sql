-- 0022: the components of a dossier and their digitisation (Decree 118/2025 art. 17(1)(c);
-- Circular 03/2025 art. 5(2)), the electronic result (Decree 45/2020 art. 14), the procedures
-- offered fully online (Decision 766/QĐ-TTg), and the National Portal's own code of a dossier
-- filed through it (docs/dossiers.md).

-- The catalogue: each service's list of components (code, name, required, originals, copies)
-- as JSON, like its attributes; and whether it is offered online, partly or fully.
ALTER TABLE service ADD COLUMN components TEXT NOT NULL DEFAULT '[]';
ALTER TABLE service ADD COLUMN online_level TEXT CHECK (online_level IN ('partial', 'full'));

-- A file stored with a dossier: a document's scan or the electronic result. The bytes live here
-- (never in an event: the event carries the digest); a privacy purge empties them and keeps the
-- row, so what was digitised is still counted.
CREATE TABLE stored_file (
    id INTEGER PRIMARY KEY,
    ticket TEXT NOT NULL REFERENCES ticket (code),
    slot TEXT NOT NULL,                              -- 'document' (with its index) or 'result'
    document INTEGER,                                -- the index of the document in the ticket's list
    content_type TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png', 'image/tiff')),
    size INTEGER NOT NULL CHECK (size > 0),
    sha256 TEXT NOT NULL,
    bytes BLOB,                                      -- NULL once erased by a privacy purge
    uploaded_at INTEGER NOT NULL,
    uploaded_by TEXT NOT NULL,
    erased_at INTEGER,
    CHECK ((slot = 'document') = (document IS NOT NULL)),
    CHECK (slot IN ('document', 'result'))
);
CREATE INDEX stored_file_ticket ON stored_file (ticket, slot, document, id);

-- What the reports count, kept by the writes: documents to digitise (not exempt), those digitised
-- (a stored scan, marked digitised, or a reused digitised copy) and those reused from the
-- citizen's data store; the electronic result (its file and the signature's reference).
ALTER TABLE ticket ADD COLUMN documents_to_digitise INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ticket ADD COLUMN documents_digitised INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ticket ADD COLUMN documents_reused INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ticket ADD COLUMN result_file INTEGER REFERENCES stored_file (id);
ALTER TABLE ticket ADD COLUMN result_signature TEXT;

-- A dossier filed through the National Public Service Portal keeps the portal's code and
-- reference; one dossier of ours per portal code.
ALTER TABLE ticket ADD COLUMN portal_code TEXT;
ALTER TABLE ticket ADD COLUMN portal_reference TEXT;
CREATE UNIQUE INDEX ticket_portal_code ON ticket (portal_code) WHERE portal_code IS NOT NULL;
