-- The online and feedback reports read their tickets from one covering index (issue 17;
-- docs/benchmarks.md). Both count the tickets *received* in the period of services of some kinds
-- (procedures; feedback and inquiries), so `ticket_intake` leads with the service and the moment
-- of receipt — SQLite seeks each service of the kind and reads its period, never a ticket of
-- another kind — and holds every column the two reports and their groupings read, so a scan never
-- touches a ticket's row (over a million tickets that row read was most of their seconds). The
-- facts kept beside the ticket — the online reception events with their grade, the payments made
-- online, the result files — are read by the indexes after it: all at once, as sets, for a long
-- period, or looked up ticket by ticket for a short one. Building the four takes a few seconds on
-- a million tickets.
CREATE INDEX ticket_intake ON ticket (
    service, received_at, channel, state, awaiting_reason, department, severity, charge_lines, resolved_at, timeliness,
    result_file, documents_to_digitise, documents_digitised, documents_reused, nature, merged_into, reopened
);
CREATE INDEX event_reception ON event (entity_id, at, json_extract(detail, '$.receptionGrade'))
    WHERE action = 'ticket.receive' AND entity = 'ticket';
CREATE INDEX payment_online ON payment (ticket, at) WHERE kind = 'paid' AND method = 'online';
CREATE INDEX stored_file_result ON stored_file (uploaded_at) WHERE slot = 'result';
