import Prometheus
import ServiceDesk
import Synchronization

/// The metrics of `/metrics` beyond Hummingbird's: tickets by state and department and walk-in
/// numbers waiting per service (read from the database at a scrape, at most once per
/// `refreshInterval`: a scrape storm must not keep a reader scanning the ticket table), ticket
/// actions by kind, hall calls and no-shows (counted as they happen).
final class DeskMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    /// The shortest time between two reads of the gauges from the database.
    let refreshInterval: Duration
    private let lastRefresh = Mutex<ContinuousClock.Instant?>(nil)
    /// Label pairs seen at the previous scrape, so a combination that empties drops to 0.
    private let seen = Mutex<Set<[String]>>([])
    private let seenServices = Mutex<Set<String>>([])

    static var actions: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "desk", metricName: "ticket_actions", unitName: "total", helpText: "Ticket actions performed, by kind")
    }
    static var waiting: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "desk", metricName: "queue_waiting", unitName: "", helpText: "Walk-in numbers waiting, by service")
    }
    static var hallCalls: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "desk", metricName: "hall_calls", unitName: "total", helpText: "Walk-in numbers called or recalled, by kind")
    }
    static var noShows: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "desk", metricName: "queue_no_shows", unitName: "total", helpText: "Walk-in numbers marked no-show")
    }

    func countCall(_ kind: String) {
        registry.makeCounter(descriptor: Self.hallCalls, labels: [("kind", kind)]).increment()
    }

    func countNoShow() {
        registry.makeCounter(descriptor: Self.noShows, labels: []).increment()
    }

    static var tickets: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "desk", metricName: "tickets", unitName: "", helpText: "Tickets by state and current department")
    }

    init(registry: PrometheusCollectorRegistry, refreshInterval: Duration = .seconds(10)) {
        self.registry = registry
        self.refreshInterval = refreshInterval
    }

    func countAction(_ action: String) {
        registry.makeCounter(descriptor: Self.actions, labels: [("action", action)])
            .increment()
    }

    static var writeBatches: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "desk", metricName: "write_transactions", unitName: "total",
            helpText: "Transactions of the single writer (group commit: each holds one or more writes)")
    }
    static var writeJobs: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "desk", metricName: "writes", unitName: "total", helpText: "Writes committed or rolled back by the single writer")
    }
    static var writerBusy: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "desk", metricName: "writer_busy", unitName: "seconds_total",
            helpText: "Time the single writer spent running writes (phase run) and committing them, fsync included (phase commit)")
    }
    static var writerCPU: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "desk", metricName: "writer_cpu", unitName: "seconds_total",
            helpText: "CPU time of the single writer's thread while running writes (below the run phase's time: it was waiting)")
    }
    static var failedTransactions: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "desk", metricName: "write_transactions_failed", unitName: "total",
            helpText: "Transactions of the single writer that failed to commit (their writes answered with the error)")
    }
    static var redoneTransactions: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "desk", metricName: "write_transactions_redone", unitName: "total",
            helpText:
                "Transactions of the single writer rolled back and run again with each write in a savepoint, because a write failed after changing rows"
        )
    }
    static var checkpoints: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "desk", metricName: "wal_checkpoints", unitName: "total",
            helpText:
                "Checkpoints that copied pages of the WAL into the database file: by the checkpointer beside the writer, or by the writer itself (what is left, so that the WAL starts again)"
        )
    }
    static var failedCheckpoints: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "desk", metricName: "wal_checkpoints_failed", unitName: "total",
            helpText:
                "Checkpoints that failed with an error (not merely another connection checkpointing at the time); the next commit tries again"
        )
    }
    static var checkpointTime: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "desk", metricName: "wal_checkpoint", unitName: "seconds_total",
            helpText:
                "Time spent folding the WAL into the database file, fsync included: by the checkpointer (no write waits for it) or by the writer itself"
        )
    }
    /// The writer's and the checkpointer's figures as last published (Prometheus counters only go
    /// up by a delta).
    private let published = Mutex(WriterStatistics())
    private let publishedCheckpoints = Mutex(CheckpointStatistics())

    /// The figures kept in memory now and at the last scrape, which they replace. Two scrapes at
    /// once must not publish the same growth twice: they are read and replaced under one lock.
    private struct Growth<Figures> {
        let before: Figures
        let now: Figures

        init(since last: borrowing Mutex<Figures>, _ read: () -> Figures) where Figures: Sendable {
            (before, now) = last.withLock { last in
                let now = read()
                defer { last = now }
                return (last, now)
            }
        }

        // The figures only grow while the database is open; a lower one (never expected) adds nothing.
        func count(_ figure: KeyPath<Figures, Int>) -> Int64 { Int64(max(0, now[keyPath: figure] - before[keyPath: figure])) }

        func seconds(_ figure: KeyPath<Figures, UInt64>) -> Double {
            let (now, before) = (now[keyPath: figure], before[keyPath: figure])
            return now > before ? Double(now - before) / 1e9 : 0
        }
    }

    private func add(_ descriptor: MetricNameDescriptor, _ amount: Int64, _ labels: [(String, String)] = []) {
        registry.makeCounter(descriptor: descriptor, labels: labels).increment(by: amount)
    }

    private func add(_ descriptor: MetricNameDescriptor, _ seconds: Double, _ labels: [(String, String)] = []) {
        registry.makeCounter(descriptor: descriptor, labels: labels).increment(by: seconds)
    }

    /// Each group commit's `COMMIT` on the single writer — the WAL's write and its `fdatasync`, and
    /// a checkpoint the writer runs itself when the WAL has grown long — as a histogram: every
    /// answer to a write waits for one, so a disk that stalls for 100 ms shows here and in the
    /// requests' p99 alike (docs/benchmarks.md).
    func observeCommits(of database: AppDatabase) {
        let histogram = registry.makeDurationHistogram(descriptor: Self.commitTime, labels: [], buckets: Self.commitBuckets)
        database.observeCommits { histogram.record($0) }
    }

    static var commitTime: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "desk", metricName: "writer_commit", unitName: "seconds",
            helpText:
                "Time each group commit's COMMIT took on the single writer: the WAL written and its fdatasync (and a checkpoint the writer runs itself when the WAL is long)"
        )
    }

    static let commitBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(20),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
    ]

    /// The single writer's figures, published at every scrape (they are counters in memory).
    func publishWriter(_ read: () -> WriterStatistics) {
        let grew = Growth(since: published, read)
        add(Self.writeBatches, grew.count(\.batches))
        add(Self.writeJobs, grew.count(\.jobs))
        add(Self.writerBusy, grew.seconds(\.runNanoseconds), [("phase", "run")])
        add(Self.writerBusy, grew.seconds(\.commitNanoseconds), [("phase", "commit")])
        add(Self.writerCPU, grew.seconds(\.runCPUNanoseconds))
        add(Self.failedTransactions, grew.count(\.failedBatches))
        add(Self.redoneTransactions, grew.count(\.redoneBatches))
    }

    /// The checkpointer's figures, the same way.
    func publishCheckpoints(_ read: () -> CheckpointStatistics) {
        let grew = Growth(since: publishedCheckpoints, read)
        add(Self.checkpoints, grew.count(\.checkpoints), [("by", "checkpointer")])
        add(Self.checkpoints, grew.count(\.onWriter), [("by", "writer")])
        add(Self.failedCheckpoints, grew.count(\.failed))
        add(Self.checkpointTime, grew.seconds(\.nanoseconds), [("by", "checkpointer")])
        add(Self.checkpointTime, grew.seconds(\.onWriterNanoseconds), [("by", "writer")])
    }

    func refresh(from database: AppDatabase) async throws {
        publishWriter { database.writerStatistics }
        publishCheckpoints { database.checkpointStatistics }
        let now = ContinuousClock.now
        let due = lastRefresh.withLock { last in
            guard last.map({ now - $0 >= refreshInterval }) ?? true else { return false }
            last = now
            return true
        }
        guard due else { return }
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
        let waiting = try await database.waitingCounts()
        let services = Set(waiting.map(\.service))
        let emptied = seenServices.withLock { previous in
            defer { previous = services }
            return previous.subtracting(services)
        }
        for service in emptied { registry.makeGauge(descriptor: Self.waiting, labels: [("service", service)]).set(to: 0) }
        for entry in waiting {
            registry.makeGauge(descriptor: Self.waiting, labels: [("service", entry.service)]).set(to: Double(entry.count))
        }
    }

    private func gauge(state: String, department: String) -> Gauge {
        registry.makeGauge(descriptor: Self.tickets, labels: [("state", state), ("department", department)])
    }
}
