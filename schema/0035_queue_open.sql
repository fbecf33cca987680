-- The walk-in numbers still open (waiting or called), by day. Issuing a number first closes the
-- numbers of earlier days still open (AppDatabase.closeNumbers: a day's numbers end with it); the
-- hall had no index for that but `queue_number_day`, through which the statement read every
-- number of every earlier day to find none: after 300 days of 500 numbers, 43 ms of the single
-- writer for each number issued (docs/benchmarks.md). Numbers are open only for their day, so
-- this index holds today's few.
CREATE INDEX queue_number_open ON queue_number (day) WHERE state IN ('waiting', 'called');
