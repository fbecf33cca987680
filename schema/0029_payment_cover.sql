-- The revenue report sums each fee-bearing ticket's payments by the period's end — paid, paid
-- online, exempted (issue 17; docs/benchmarks.md). `payment_ticket` found a ticket's payments and
-- SQLite then read each payment's row for its kind, method, moment and amount; over a million
-- tickets with their 428,183 payments that was 1.66 s of the report's query (1.07 s covered).
-- The index keeps its leading columns, so every other use of it is unchanged.
DROP INDEX payment_ticket;
CREATE INDEX payment_ticket ON payment (ticket, line, kind, method, at, amount);
-- The online payments (0028) are summed too, and SQLite takes their partial index for that sum: it
-- carries the amount, and the kind and method its condition names (SQLite reads them from the
-- index, not from the condition).
DROP INDEX payment_online;
CREATE INDEX payment_online ON payment (ticket, at, amount, kind, method) WHERE kind = 'paid' AND method = 'online';
