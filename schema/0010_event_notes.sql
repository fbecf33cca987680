-- 0010: free text that staff type about a citizen's case — notes, reasons of a refusal, a transfer
-- or an apology, missing items, a supervisor's override — is kept out of the append-only event
-- detail, which can never be erased. It lives here, one row per event, and the event's detail
-- carries only `notes`: SHA-256 of the salt and the texts, so the hash chain proves the texts
-- unchanged while they exist, and the privacy purge can erase them (texts and salt) without
-- breaking the chain: a digest without its salt reveals nothing. Events before this migration
-- keep their free text in the detail, as they were chained.
CREATE TABLE event_note (
    event_id INTEGER PRIMARY KEY REFERENCES event (id),
    ticket TEXT NOT NULL,                 -- the ticket the event is about (the purge finds it so)
    salt TEXT,                            -- 32 random hex digits; NULL once erased
    texts TEXT,                           -- JSON object, key → text; NULL once erased
    erased_at INTEGER
);
CREATE INDEX event_note_ticket ON event_note (ticket);
