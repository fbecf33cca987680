-- ServiceDesk schema, migration 0005: Open311 GeoReport v2 (SPEC §7, docs/open311.md).

-- A catalogue service's Open311 keywords (comma-separated, as Open311 emits them) and the
-- attributes a request must or may carry (JSON list of {code, datatype, variable, required,
-- order, description, datatypeDescription, values}); both are part of the catalogue entry and
-- bump its version when they change.
ALTER TABLE service ADD COLUMN keywords TEXT NOT NULL DEFAULT '';
ALTER TABLE service ADD COLUMN attributes TEXT NOT NULL DEFAULT '[]';

-- What a request posted through Open311 carries beyond the ticket itself (the ticket keeps the
-- description, the address string and the coordinates). Written in the intake's transaction.
CREATE TABLE open311_request (
    ticket TEXT PRIMARY KEY REFERENCES ticket (code),
    address_id TEXT,
    media_urls TEXT NOT NULL DEFAULT '[]',           -- JSON list of URLs, in the order posted
    attributes TEXT NOT NULL DEFAULT '{}',           -- JSON {code: [value, ...]}, checked against the service
    account_id TEXT,
    device_id TEXT
) WITHOUT ROWID;

-- GET requests.{json,xml}: the Open311 requests of a window, newest first.
CREATE INDEX ticket_open311 ON ticket (received_at) WHERE channel = 'open311';
