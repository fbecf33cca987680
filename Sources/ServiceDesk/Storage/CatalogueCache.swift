import GRDB
import Synchronization

/// The centre and the services as last read, kept while the catalogue's generation is the one
/// they were read at (migration 0024: triggers give it a new random number at every change of
/// the centre, a service, its route or its charges, whichever connection makes it). Every write
/// reads them — the intake first of all — and reading a service is three queries and a JSON
/// decoding; checking the generation is one indexed read of one row.
///
/// A reader on an older snapshot may see an older generation and read that catalogue; the
/// writer then sees a newer generation and reads again. A change rolled back restores the
/// generation it had, so what was read inside it is never taken for the catalogue.
final class CatalogueCache: Sendable {
    private struct State {
        var generation: Int64?
        var centre: Centre?
        var services: [String: Service] = [:]
    }

    private let state = Mutex(State())

    /// The centre as last read, whatever the generation: for work that may be redone inside
    /// the transaction when it turns out stale (the intake's validation needs only the year).
    var lastCentre: Centre? { state.withLock { $0.centre } }

    func centre(_ db: any SQLSession) throws -> Centre {
        try centreAndGeneration(db).centre
    }

    /// The centre and the generation it was read at (the working calendar is kept by it too).
    func centreAndGeneration(_ db: any SQLSession) throws -> (centre: Centre, generation: Int64) {
        let generation = try Self.generation(db)
        if let centre = state.withLock({ $0.generation == generation ? $0.centre : nil }) { return (centre, generation) }
        let centre = try AppDatabase.centre(db)
        keep(generation) { $0.centre = centre }
        return (centre, generation)
    }

    func service(_ db: any SQLSession, _ code: String) throws -> Service {
        let generation = try Self.generation(db)
        if let service = state.withLock({ $0.generation == generation ? $0.services[code] : nil }) { return service }
        let service = try AppDatabase.service(db, code)
        keep(generation) { $0.services[code] = service }
        return service
    }

    /// Stores what was read at `generation`, forgetting everything read at another.
    private func keep(_ generation: Int64, _ update: (inout State) -> Void) {
        state.withLock { state in
            if state.generation != generation { state = State(generation: generation) }
            update(&state)
        }
    }

    static func generation(_ db: any SQLSession) throws -> Int64 {
        try db.fetchValue(Int64.self, sql: "SELECT value FROM catalogue_generation WHERE id = 1") ?? 0
    }
}
