-- ServiceDesk schema, migration 0007: photos uploaded with an Open311 request (multipart file
-- parts: FixMyStreet's photoN and file_*, three's media). Kept in the database, written in the
-- intake's transaction, served at /open311/v2/media/{token} (docs/open311.md). Only images whose
-- bytes say so (JPEG, PNG, GIF, WebP) are accepted.
CREATE TABLE open311_media (
    id INTEGER PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,                      -- random, the public name in the URL
    ticket TEXT NOT NULL REFERENCES ticket (code),
    part TEXT NOT NULL,                              -- the form field it came in
    filename TEXT,
    content_type TEXT NOT NULL,                      -- from the bytes, not from the client
    size INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX open311_media_ticket ON open311_media (ticket, id);
