import Foundation
import Synchronization

/// The working calendar and time zones, kept in memory between intakes: reading and parsing the
/// calendar showed as 5 % of an intake's CPU. Every calendar write of `AppDatabase` clears it
/// (only this process writes the calendar: `deskcli`'s local commands never do).
final class CalendarCache: Sendable {
    private let calendar = Mutex<WorkingCalendar?>(nil)
    private let clocks = Mutex<[String: LocalClock]>([:])

    func calendar(load: () throws -> WorkingCalendar) rethrows -> WorkingCalendar {
        if let cached = calendar.withLock({ $0 }) { return cached }
        let loaded = try load()
        calendar.withLock { $0 = loaded }
        return loaded
    }

    func clear() {
        calendar.withLock { $0 = nil }
    }

    /// A clock per time-zone identifier (creating a `TimeZone` reads the zone database).
    func clock(for identifier: String) -> LocalClock {
        if let clock = clocks.withLock({ $0[identifier] }) { return clock }
        let clock = LocalClock(identifier: identifier) ?? LocalClock(timeZone: TimeZone(secondsFromGMT: 7 * 3600)!)
        clocks.withLock { $0[identifier] = clock }
        return clock
    }
}
