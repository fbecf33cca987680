-- The report indexes cover their queries again (issue 17). handling-times falls back to the
-- accepted (else received) moment for a ticket without stored calendar minutes, and revenue
-- tests `charge_lines`: columns the indexes lacked, so SQLite read every ticket's row beside the
-- index — over a million tickets 1.4 s of handling-times' and 0.3 s of revenue's time
-- (docs/benchmarks.md). Rebuilding both takes a few seconds on a million tickets.
DROP INDEX ticket_handling;
CREATE INDEX ticket_handling ON ticket (
    resolved_at, handling_working_minutes, handling_calendar_minutes, paused_minutes, accepted_at, received_at,
    department, service, channel, holder
);
DROP INDEX ticket_revenue;
CREATE INDEX ticket_revenue ON ticket (
    accepted_at, charge_le_phi, charge_phi, charge_service_price, charge_retained, department, service, channel, holder,
    charge_lines
) WHERE charge_lines > 0;
