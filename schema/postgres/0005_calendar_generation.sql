-- The working calendar read by several instances (issue 18; docs/postgresql.md, "Several
-- instances"). Each deskd keeps the calendar in memory (CalendarCache); on a file only that
-- process writes it and clears its copy, but on a server another instance may import a holiday
-- list. A change of the weekly hours or of a dated day now gives the catalogue a new generation,
-- as a change of a service does (0001: desk_catalogue_changed), and an instance keeps its
-- calendar only while the generation is the one it read it at: the next request of any
-- instance reads the new calendar, in the same transaction as the change it would depend on.
-- Once per statement (an import replaces every day in one), not per row.
CREATE TRIGGER working_period_generation AFTER INSERT OR UPDATE OR DELETE ON working_period
    FOR EACH STATEMENT EXECUTE FUNCTION desk_catalogue_changed();
CREATE TRIGGER calendar_day_generation AFTER INSERT OR UPDATE OR DELETE ON calendar_day
    FOR EACH STATEMENT EXECUTE FUNCTION desk_catalogue_changed();
