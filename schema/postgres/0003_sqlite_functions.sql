-- The SQLite functions the storage's shared SQL uses (issue 18; SQLSession, PostgresSession): the
-- daemon runs one SQL on both engines, so PostgreSQL gets the few of SQLite's functions it lacks,
-- in the forms the storage writes them and no others (any other form is refused, not guessed).

-- sum() of a comparison: SQLite's comparisons are integers 0/1, PostgreSQL's are booleans. NULL
-- when no row has a value, as SQLite's sum().
CREATE FUNCTION desk_count_true(total bigint, value boolean) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN value IS NULL THEN total ELSE coalesce(total, 0) + CASE WHEN value THEN 1 ELSE 0 END END $$;
CREATE AGGREGATE sum(boolean) (SFUNC = desk_count_true, STYPE = bigint, PARALLEL = SAFE);

-- strftime(format, seconds, 'unixepoch'): a moment in Unix seconds (already moved to local time
-- by the caller) written with %Y, %m, %d, %H.
CREATE FUNCTION strftime(format text, seconds bigint, modifier text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $$
BEGIN
    IF modifier <> 'unixepoch' OR format ~ '%[^YmdH]' OR format ~ '%$' THEN
        RAISE EXCEPTION 'strftime(%, %) is not one the storage uses', format, modifier;
    END IF;
    RETURN to_char(to_timestamp(seconds) AT TIME ZONE 'UTC',
        replace(replace(replace(replace(format, '%Y', 'YYYY'), '%m', 'MM'), '%d', 'DD'), '%H', 'HH24'));
END $$;

-- strftime(format, seconds, 'unixepoch', 'weekday 0', '-6 days'): the Monday of the moment's week
-- (SQLite: forward to the Sunday on or after the day, then six days back).
CREATE FUNCTION strftime(format text, seconds bigint, modifier text, weekday text, back text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $$
DECLARE
    day date := (to_timestamp(seconds) AT TIME ZONE 'UTC')::date;
BEGIN
    IF modifier <> 'unixepoch' OR weekday <> 'weekday 0' OR back <> '-6 days' OR format <> '%Y-%m-%d' THEN
        RAISE EXCEPTION 'strftime(%, %, %, %) is not one the storage uses', format, modifier, weekday, back;
    END IF;
    RETURN to_char(day + ((7 - extract(dow FROM day)::int) % 7) - 6, 'YYYY-MM-DD');
END $$;

-- json_extract(detail, '$.key'): a key of a flat JSON object, as text.
CREATE FUNCTION json_extract(document text, path text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $$
BEGIN
    IF path !~ '^\$\.[A-Za-z_][A-Za-z_0-9]*$' THEN
        RAISE EXCEPTION 'json_extract(..., %) is not one the storage uses', path;
    END IF;
    RETURN document::jsonb ->> substr(path, 3);
END $$;
