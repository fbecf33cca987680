-- Facts beside the tickets of a seeded history, in realistic numbers, for timing the online and
-- feedback reports (docs/benchmarks.md, "Online and feedback from one covering index"): the demo
-- seed records none. Run on a copy of a seeded file, never on a centre's database:
--
--   cp /tmp/million.sqlite /tmp/million-facts.sqlite && cp /tmp/million.sqlite.token /tmp/million-facts.sqlite.token
--   sqlite3 /tmp/million-facts.sqlite < scripts/add-facts.sql
--
-- Online receptions (80 % on time) for the tickets filed online, a payment for every fee-bearing
-- one (half online), the portal's acknowledgement of the online ones, an electronic result for
-- 30 % of the resolved dossiers, a forward for 70 % of the feedback and a progress post for half
-- of it (a fifth with photos). The event log's chain is not kept: `audit verify` fails on it.
BEGIN;
INSERT INTO event (at, actor, action, entity, entity_id, detail, prev_hash, hash)
  SELECT received_at + 3600, 'officer', 'ticket.receive', 'ticket', code,
    json_object('receptionGrade', CASE WHEN abs(random()) % 10 < 8 THEN 'on-time' ELSE 'late' END), 'x', 'y'
  FROM ticket WHERE channel IN ('web', 'mobile', 'email');
INSERT INTO payment (ticket, line, kind, amount, method, at, collected_by)
  SELECT code, 0, 'paid', 50000, CASE WHEN abs(random()) % 2 = 0 THEN 'online' ELSE 'cash' END, received_at + 7200, 'officer'
  FROM ticket WHERE charge_lines > 0;
INSERT INTO sync_ack (ticket, event_id, portal_status, acked_at, acked_by)
  SELECT code, 1, CASE state WHEN 'resolved' THEN 9 WHEN 'returned' THEN 10 ELSE 4 END, received_at + 86400, 'portal'
  FROM ticket WHERE channel IN ('web', 'mobile', 'email');
INSERT INTO stored_file (ticket, slot, content_type, size, sha256, bytes, uploaded_at, uploaded_by)
  SELECT code, 'result', 'application/pdf', 1, 'x', X'00', resolved_at, 'officer'
  FROM ticket WHERE resolved_at IS NOT NULL AND abs(random()) % 10 < 3
    AND service IN (SELECT code FROM service WHERE kind = 'procedure');
UPDATE ticket SET result_file = (SELECT max(id) FROM stored_file f WHERE f.ticket = ticket.code AND f.slot = 'result')
  WHERE code IN (SELECT ticket FROM stored_file WHERE slot = 'result');
INSERT INTO forward (ticket, body, lead, sent_at, sent_by, grade, accept_due, accepted_at, acceptance_grade, sent_back_at)
  SELECT code, 'tu-phap', 1, received_at + 86400, 'officer', CASE WHEN abs(random()) % 10 < 9 THEN 'on-time' ELSE 'late' END,
    received_at + 6 * 86400, received_at + 2 * 86400, CASE WHEN abs(random()) % 10 < 9 THEN 'on-time' ELSE 'late' END, NULL
  FROM ticket WHERE service IN (SELECT code FROM service WHERE kind = 'feedback') AND abs(random()) % 10 < 7;
INSERT INTO progress_post (ticket, at, author, text, photos)
  SELECT code, received_at + 3 * 86400, 'officer', 'đang xử lý', CASE WHEN abs(random()) % 5 = 0 THEN '["p.jpg"]' ELSE '[]' END
  FROM ticket WHERE service IN (SELECT code FROM service WHERE kind = 'feedback') AND abs(random()) % 2 = 0;
COMMIT;
SELECT (SELECT count(*) FROM event WHERE action = 'ticket.receive'), (SELECT count(*) FROM payment), (SELECT count(*) FROM sync_ack),
  (SELECT count(*) FROM stored_file), (SELECT count(*) FROM forward), (SELECT count(*) FROM progress_post);
