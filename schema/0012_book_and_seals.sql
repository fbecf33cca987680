-- 0012: the tracking book (Sổ theo dõi hồ sơ, form 07 of Circular 03/2025/TT-VPCP) and the
-- centre's signing keys for the QR seal of every printed form (docs/forms.md).
--
-- One book per field (lĩnh vực) and calendar year (Circular 01/2018/TT-VPCP art. 10: entry
-- numbers run on from 01 for the whole year without restarting). A dossier enters its field's
-- book when it is accepted (the event that issues form 01), in that event's transaction: the
-- entries are gap-free and a reprint of the receipt shows the same volume and entry.
ALTER TABLE service ADD COLUMN field TEXT;   -- e.g. 'Hộ tịch'; NULL: the general book ('')
ALTER TABLE centre ADD COLUMN on_behalf_of TEXT;  -- public-service-unit mode: the one-stop desk it acts for
ALTER TABLE centre ADD COLUMN contact_phone TEXT; -- the number a citizen calls for help, printed on form 02

CREATE TABLE book (
    year INTEGER NOT NULL,
    field TEXT NOT NULL,                  -- '' is the general book of services without a field
    volume INTEGER NOT NULL,              -- quyển số: the year's books numbered in order of opening
    last INTEGER NOT NULL,                -- the last entry number given
    PRIMARY KEY (year, field),
    UNIQUE (year, volume)
) WITHOUT ROWID;

CREATE TABLE book_entry (
    year INTEGER NOT NULL,
    field TEXT NOT NULL,
    number INTEGER NOT NULL,
    ticket TEXT NOT NULL UNIQUE REFERENCES ticket (code),
    event_id INTEGER NOT NULL REFERENCES event (id),
    PRIMARY KEY (year, field, number)
) WITHOUT ROWID;

-- Ed25519 keys (RFC 8032). The newest key without retired_at signs; a rotation retires it and
-- erases its private half, and its public half stays published so that papers it signed still
-- verify (GET /.well-known/jwks.json).
CREATE TABLE signing_key (
    id TEXT PRIMARY KEY,                  -- 16 hex: the first 8 bytes of SHA-256 of the public key
    public_key BLOB NOT NULL,             -- 32 bytes
    private_key BLOB,                     -- 32 bytes; NULL once retired
    created_at INTEGER NOT NULL,
    retired_at INTEGER
) WITHOUT ROWID;
CREATE UNIQUE INDEX signing_key_active ON signing_key (retired_at IS NULL) WHERE retired_at IS NULL;
