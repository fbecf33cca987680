-- 0017: progress posted by the responsible department (docs/tickets.md, `progress`): what was
-- done, and the day it commits to finish by when it cannot in time. Told to the citizen (the
-- outbox) and shown in an Open311 request's status_notes and the public status. The text is
-- erased by the privacy purge (NULL); the event keeps its digest.
CREATE TABLE progress_post (
    id INTEGER PRIMARY KEY,
    ticket TEXT NOT NULL REFERENCES ticket (code),
    at INTEGER NOT NULL,
    author TEXT NOT NULL,
    department TEXT,
    text TEXT,
    committed_date TEXT                              -- YYYY-MM-DD
);
CREATE INDEX progress_post_ticket ON progress_post (ticket, id);
