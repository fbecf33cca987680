-- The walk-in reports read the numbers from one covering index (issue 17): waiting (the wait,
-- the service time, the ticket a number led to) and staffing by hour (the numbers issued per
-- hour and day, the service of those served) range over the moment of issue and found every
-- other column in the table, a row fetched per number. `queue_number_issued` (issued_at alone)
-- is the prefix of this one and goes.
DROP INDEX queue_number_issued;
CREATE INDEX queue_number_report ON queue_number (
    issued_at, transferred_from, state, called_at, finished_at, service, counter, ticket, day
);
