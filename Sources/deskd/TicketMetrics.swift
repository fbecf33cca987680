import Prometheus
import ServiceDesk
import Synchronization

/// The ticket metrics of `/metrics`: tickets by state and department (read from the database
/// when scraped, so they are never out of step) and actions by kind (counted as they happen).
final class TicketMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    /// Label pairs seen at the previous scrape, so a combination that empties drops to 0.
    private let seen = Mutex<Set<[String]>>([])

    static var actions: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "desk", metricName: "ticket_actions", unitName: "total", helpText: "Ticket actions performed, by kind")
    }
    static var tickets: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "desk", metricName: "tickets", unitName: "", helpText: "Tickets by state and current department")
    }

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func countAction(_ action: String) {
        registry.makeCounter(descriptor: Self.actions, labels: [("action", action)])
            .increment()
    }

    func refresh(from database: AppDatabase) async throws {
        let counts = try await database.ticketCounts()
        let current = Set(counts.map { [$0.state, $0.department] })
        let vanished = seen.withLock { previous in
            defer { previous = current }
            return previous.subtracting(current)
        }
        for pair in vanished {
            gauge(state: pair[0], department: pair[1]).set(to: 0.0)
        }
        for count in counts {
            gauge(state: count.state, department: count.department).set(to: Double(count.count))
        }
    }

    private func gauge(state: String, department: String) -> Gauge {
        registry.makeGauge(descriptor: Self.tickets, labels: [("state", state), ("department", department)])
    }
}
