import Foundation
import GRDB

/// A dossier's documents, their scans and the electronic result (migration 0022,
/// docs/dossiers.md). The bytes are kept in `stored_file`; the events carry the digest.
extension AppDatabase {
    /// Who adds documents to a dossier: the counter, portals (their own dossiers), supervisors.
    public static let documentEditors: Set<Role> = [.officer, .integration, .supervisor, .admin]
    /// Who stores a document's scan: those, and the handlers of the department holding it.
    public static let fileUploaders: Set<Role> = [.officer, .integration, .supervisor, .admin, .handler]
    /// Who stores the electronic result: the handlers, the counter, supervisors.
    public static let resultUploaders: Set<Role> = [.officer, .handler, .supervisor, .admin]

    public func documents(of code: String, viewer: Staff) async throws -> DossierDocuments {
        try await read { db in try Self.documents(db, of: try Self.visibleTicket(db, code, viewer: viewer)) }
    }

    /// Adds a document received after the intake (with a supplement, or digitised later).
    public func addDocument(_ draft: Document, to code: String, actor: Staff) async throws -> DossierDocuments {
        var validator = Validator()
        let document = Document.validated(draft, field: "document", into: &validator)
        try validator.finish()
        let now = clock()
        return try await write { db in
            let ticket = try Self.visibleTicket(db, code, viewer: actor)
            guard ticket.state.isOpen else {
                throw DeskError.illegalTransition(action: "add a document", state: ticket.state.rawValue, allowed: [])
            }
            guard ticket.documents.count < Document.maxCount else {
                throw DeskError.conflict("the dossier holds \(Document.maxCount) documents already")
            }
            let service = try Self.service(db, ticket.service)
            let added = try Document.matched([document], to: service, field: "document")[0]
            let documents = ticket.documents + [added]
            try Self.store(db, documents: documents, of: ticket)
            var detail = ["document": String(documents.count - 1), "name": added.name]
            detail["component"] = added.component
            try self.appendEvent(db, "ticket.document", ticket: ticket, actor: actor, at: now, detail: detail)
            return try Self.documents(db, of: try Self.ticket(db, code))
        }
    }

    /// Stores the scan of document `index` (a PDF or an image, by its bytes): the document is
    /// digitised from then. A new scan replaces the one before in the list; the older stays stored.
    public func storeDocumentFile(
        _ bytes: Data, declared: String?, document index: Int, of code: String, actor: Staff
    ) async throws -> DossierDocuments {
        let upload = try DossierUpload.make(bytes: bytes, declared: declared)
        let now = clock()
        return try await write { db in
            let ticket = try Self.visibleTicket(db, code, viewer: actor)
            guard ticket.documents.indices.contains(index) else {
                throw DeskError.notFound(entity: "document", id: "\(code)/\(index)")
            }
            guard ticket.state != .withdrawn else {
                throw DeskError.illegalTransition(action: "store a file", state: ticket.state.rawValue, allowed: [])
            }
            let file = try Self.insertFile(db, upload, ticket: code, slot: "document", document: index, actor: actor, at: now)
            var documents = ticket.documents
            documents[index].file = file
            try Self.store(db, documents: documents, of: ticket)
            try self.appendEvent(
                db, "ticket.file", ticket: ticket, actor: actor, at: now,
                detail: [
                    "slot": "document", "document": String(index), "sha256": file.sha256, "size": String(file.size),
                    "contentType": file.contentType,
                ])
            return try Self.documents(db, of: try Self.ticket(db, code))
        }
    }

    /// Stores the electronic result (Decree 45/2020/NĐ-CP art. 14): the signed file and the
    /// reference of its signature. Once the dossier is handled or being handled; a new one
    /// replaces the one before (a corrected result, Decree 61/2018 art. 21).
    public func storeResult(
        _ bytes: Data, declared: String?, signature: String, of code: String, actor: Staff
    ) async throws -> DossierDocuments {
        let signature = Text.clean(signature as String?) ?? ""
        var validator = Validator()
        validator.check(
            !signature.isEmpty && signature.unicodeScalars.count <= 500, "signature",
            "is required: the reference of the result's digital signature, at most 500 characters")
        try validator.finish()
        let upload = try DossierUpload.make(bytes: bytes, declared: declared)
        let now = clock()
        return try await write { db in
            let ticket = try Self.visibleTicket(db, code, viewer: actor)
            let allowed: Set<Ticket.State> = [.inProgress, .resolved, .returned]
            guard allowed.contains(ticket.state) else {
                throw DeskError.illegalTransition(
                    action: "store the result", state: ticket.state.rawValue, allowed: allowed.map(\.rawValue).sorted())
            }
            let file = try Self.insertFile(db, upload, ticket: code, slot: "result", document: nil, actor: actor, at: now)
            try db.cachedExecute(
                sql: "UPDATE ticket SET result_file = ?, result_signature = ?, version = version + 1 WHERE code = ?",
                arguments: [file.id, signature, code])
            try self.appendEvent(
                db, "ticket.result", ticket: ticket, actor: actor, at: now,
                detail: [
                    "slot": "result", "sha256": file.sha256, "size": String(file.size), "contentType": file.contentType,
                    "signature": signature,
                ])
            return try Self.documents(db, of: try Self.ticket(db, code))
        }
    }

    /// The bytes of document `index`'s scan, or of the result (`index` nil).
    public func storedFile(of code: String, document index: Int?, viewer: Staff) async throws -> (StoredFile, Data) {
        try await read { db in
            let ticket = try Self.visibleTicket(db, code, viewer: viewer)
            let id: Int64?
            if let index {
                guard ticket.documents.indices.contains(index) else { throw DeskError.notFound(entity: "document", id: "\(code)/\(index)") }
                id = ticket.documents[index].file?.id
            } else {
                id = try Int64.fetchOne(db, sql: "SELECT result_file FROM ticket WHERE code = ?", arguments: [code])
            }
            let what = index.map { "file of document \(code)/\($0)" } ?? "result of \(code)"
            guard let id, let row = try Row.fetchOne(db, sql: "SELECT * FROM stored_file WHERE id = ?", arguments: [id]) else {
                throw DeskError.notFound(entity: "stored file", id: what)
            }
            guard let bytes = row["bytes"] as Data? else {
                throw DeskError.notFound(entity: "stored file (erased by the privacy purge)", id: what)
            }
            return (StoredFile(row: row), bytes)
        }
    }

    // MARK: Storage

    static func documents(_ db: any SQLSession, of ticket: Ticket) throws -> DossierDocuments {
        let service = try Self.service(db, ticket.service)
        let counts = DigitisationCounts(ticket.documents)
        var result: ElectronicResult?
        if let signature = ticket.resultSignature,
            let row = try Row.fetchOne(
                db, sql: "SELECT f.* FROM stored_file f JOIN ticket t ON t.result_file = f.id WHERE t.code = ?", arguments: [ticket.code])
        {
            result = ElectronicResult(file: StoredFile(row: row), signature: signature)
        }
        return DossierDocuments(
            code: ticket.code, documents: ticket.documents, missing: Document.missing(ticket.documents, of: service),
            toDigitise: counts.toDigitise, digitised: counts.digitised, reused: counts.reused, result: result)
    }

    /// Writes a dossier's documents and the counts the reports read, and bumps its version.
    static func store(_ db: any SQLSession, documents: [Document], of ticket: Ticket) throws {
        let counts = DigitisationCounts(documents)
        try db.cachedExecute(
            sql: """
                UPDATE ticket SET documents = ?, documents_to_digitise = ?, documents_digitised = ?, documents_reused = ?,
                version = version + 1 WHERE code = ?
                """,
            arguments: [APIJSON.text(documents), counts.toDigitise, counts.digitised, counts.reused, ticket.code])
    }

    static func insertFile(
        _ db: any SQLSession, _ upload: DossierUpload, ticket: String, slot: String, document: Int?, actor: Staff, at now: Date
    ) throws -> StoredFile {
        try db.cachedExecute(
            sql: """
                INSERT INTO stored_file (ticket, slot, document, content_type, size, sha256, bytes, uploaded_at, uploaded_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                ticket, slot, document, upload.contentType, upload.bytes.count, upload.sha256, upload.bytes, now.storedSeconds,
                actor.username,
            ])
        return StoredFile(
            id: try db.lastInsertedRowID, contentType: upload.contentType, size: upload.bytes.count, sha256: upload.sha256,
            uploadedAt: Date(storedSeconds: now.storedSeconds), uploadedBy: actor.username)
    }

    /// A ticket event of a change that is not a transition (the state stays).
    func appendEvent(_ db: any SQLSession, _ action: String, ticket: Ticket, actor: Staff, at now: Date, detail: [String: String]) throws {
        let (_, time) = try workingTime(db)
        _ = try EventLog.appendTicketEvent(
            db, at: now, year: time.clock.local(now).date.year, actor: actor.username, action: action, code: ticket.code, detail: detail)
    }
}

extension StoredFile {
    init(row: Row) {
        self.init(
            id: row["id"], contentType: row["content_type"], size: row["size"], sha256: row["sha256"],
            uploadedAt: Date(storedSeconds: row["uploaded_at"]), uploadedBy: row["uploaded_by"],
            erasedAt: (row["erased_at"] as Int64?).map(Date.init(storedSeconds:)))
    }
}
