-- What the daemon's shared SQL still lacked on PostgreSQL (issue 18; docs/postgresql.md).

-- min(a, b) and max(a, b): SQLite's scalar forms, which PostgreSQL spells least and greatest.
-- NULL when either is NULL, as SQLite's (STRICT). Only the two-argument bigint forms the storage
-- writes (the overdue filter, the progress report's window); the aggregates min(x) and max(x) are
-- untouched.
CREATE FUNCTION min(a bigint, b bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT least(a, b) $$;
CREATE FUNCTION max(a bigint, b bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT greatest(a, b) $$;

-- The words of a search body as SQLite's FTS5 (tokenizer unicode61) splits them: runs of letters
-- and digits, every punctuation mark and space a separator. PostgreSQL's own parser keeps some
-- runs whole that FTS5 splits — a dossier code "G01.12-261130-0001", an e-mail address, a URL, a
-- hyphenated word — so a search for "0001" or for the part of an address found nothing there.
-- Folded first (desk_fold), then split, then parsed: the lexemes are the words FTS5 indexes.
CREATE FUNCTION desk_search_words(body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT to_tsvector('simple', regexp_replace(desk_fold(body), '[[:punct:][:space:]]+', ' ', 'g')) $$;

-- The generated column again with the split (PostgreSQL 15 cannot change a generated column's
-- expression in place: dropped and added, which computes it for every row; the index with it).
ALTER TABLE ticket_search DROP COLUMN words;
ALTER TABLE ticket_search ADD COLUMN words tsvector GENERATED ALWAYS AS (desk_search_words(body)) STORED;
CREATE INDEX ticket_search_words ON ticket_search USING gin (words);

ALTER TABLE applicant_search DROP COLUMN words;
ALTER TABLE applicant_search ADD COLUMN words tsvector GENERATED ALWAYS AS (desk_search_words(body)) STORED;
CREATE INDEX applicant_search_words ON applicant_search USING gin (words);
