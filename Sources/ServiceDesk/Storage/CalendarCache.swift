import Foundation
import Synchronization

/// The working calendar and time zones, kept in memory between intakes: reading and parsing the
/// calendar showed as 5 % of an intake's CPU. Every calendar write of `AppDatabase` clears it in
/// its transaction and again once committed (only this process writes the calendar: `deskcli`'s
/// local commands never do). A reader that loaded the calendar while a change was being
/// committed keeps what it read for itself but does not store it: each clear starts a new
/// generation, and only a load begun in the current generation is kept.
///
/// On PostgreSQL other instances write the calendar too: there a change of it gives the
/// catalogue a new generation (schema/postgres/0005), and the calendar is kept only for the
/// catalogue's generation it was read at — the caller passes the one its transaction sees.
final class CalendarCache: Sendable {
    private struct State {
        var generation = 0
        var calendar: WorkingCalendar?
        /// The catalogue's generation the calendar was read at.
        var catalogue: Int64?
    }

    private let state = Mutex(State())
    private let clocks = Mutex<[String: LocalClock]>([:])

    func calendar(catalogue: Int64, load: () throws -> WorkingCalendar) rethrows -> WorkingCalendar {
        let (cached, generation) = state.withLock { ($0.catalogue == catalogue ? $0.calendar : nil, $0.generation) }
        if let cached { return cached }
        let loaded = try load()
        state.withLock {
            if $0.generation == generation {
                $0.calendar = loaded
                $0.catalogue = catalogue
            }
        }
        return loaded
    }

    func clear() {
        state.withLock {
            $0.generation += 1
            $0.calendar = nil
        }
    }

    /// A clock per time-zone identifier (creating a `TimeZone` reads the zone database).
    func clock(for identifier: String) -> LocalClock {
        if let clock = clocks.withLock({ $0[identifier] }) { return clock }
        let clock = LocalClock(identifier: identifier) ?? LocalClock(timeZone: TimeZone(secondsFromGMT: 7 * 3600)!)
        clocks.withLock { $0[identifier] = clock }
        return clock
    }
}
