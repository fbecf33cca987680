-- The waiting numbers in the order call-next takes them. Call-next asks for the oldest waiting
-- number of a class (normal, priority) among a counter's services: `ORDER BY issued_at,
-- coalesce(queue_position, id)` (a number sent on to another service keeps its place). The index
-- of 0003 ended with `id`, so SQLite sorted, on every call, all the numbers issued in the same
-- second as the oldest: a kiosk's morning rush, or a hall's numbers issued in a batch, made each
-- call read and sort hundreds of rows (36 µs for the two look-ups against 5 µs with this index,
-- docs/benchmarks.md). Keyed by the same expression, the first entry of the index is the answer.
DROP INDEX queue_number_waiting;
CREATE INDEX queue_number_waiting ON queue_number (service, priority, issued_at, coalesce(queue_position, id)) WHERE state = 'waiting';
