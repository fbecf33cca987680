-- 0019: payments of a ticket's charges (Decree 118/2025/NĐ-CP art. 24; Decree 61/2018 art. 22;
-- Law on Fees and Charges 2015): each charge line (by its index in ticket.charges) collected, in
-- parts or at once, or exempted; with the method, the receipt (biên lai) number, the moment and
-- who collected it. An online payment carries the gateway's transaction reference, unique: a
-- callback repeated by the gateway records nothing twice (docs/payments.md).
CREATE TABLE payment (
    id INTEGER PRIMARY KEY,
    ticket TEXT NOT NULL REFERENCES ticket (code),
    line INTEGER NOT NULL CHECK (line >= 0),
    kind TEXT NOT NULL CHECK (kind IN ('paid', 'exempt')),
    amount INTEGER NOT NULL CHECK (amount >= 0),     -- VND; an exemption records what it waived
    method TEXT CHECK (method IN ('cash', 'transfer', 'online', 'postal')),
    receipt_number TEXT,
    reason TEXT,                                     -- the grounds of an exemption
    reference TEXT,                                  -- the payment gateway's transaction id
    at INTEGER NOT NULL,
    collected_by TEXT NOT NULL
);
CREATE INDEX payment_ticket ON payment (ticket, line);
CREATE UNIQUE INDEX payment_reference ON payment (reference) WHERE reference IS NOT NULL;
