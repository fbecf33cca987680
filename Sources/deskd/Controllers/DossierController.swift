import Foundation
import HTTPTypes
import Hummingbird
import ServiceDesk

/// A dossier's documents, their scans and the electronic result (docs/dossiers.md). Files go up
/// as the raw body of a `PUT` (a PDF or an image; its bytes decide its type) and come back with
/// that type and `nosniff`.
struct DossierController {
    let database: AppDatabase

    func addRoutes(to group: RouterGroup<DeskRequestContext>) {
        group.get("tickets/:code/documents") { _, context in
            let viewer = try context.require(anyOf: Role.configurationReaders).staff
            return JSONResponse(try await database.documents(of: try context.parameter("code"), viewer: viewer))
        }
        group.post("tickets/:code/documents") { request, context in
            let actor = try context.require(anyOf: Array(AppDatabase.documentEditors)).staff
            let document = try await request.decodeJSON(Document.self, context: context)
            return JSONResponse(
                try await database.addDocument(document, to: try context.parameter("code"), actor: actor), status: .created)
        }
        group.put("tickets/:code/documents/:index/file") { request, context in
            let actor = try context.require(anyOf: Array(AppDatabase.fileUploaders)).staff
            let index = try Self.index(context)
            let body = try await Self.body(request, context)
            return JSONResponse(
                try await database.storeDocumentFile(
                    body, declared: request.headers[.contentType], document: index, of: try context.parameter("code"), actor: actor))
        }
        group.get("tickets/:code/documents/:index/file") { _, context in
            try await download(context, document: try Self.index(context))
        }
        group.put("tickets/:code/result") { request, context in
            let actor = try context.require(anyOf: Array(AppDatabase.resultUploaders)).staff
            let query = Query(request)
            let signature = query.string("signature") ?? ""
            try query.finish()
            let body = try await Self.body(request, context)
            return JSONResponse(
                try await database.storeResult(
                    body, declared: request.headers[.contentType], signature: signature, of: try context.parameter("code"), actor: actor))
        }
        group.get("tickets/:code/result") { _, context in
            try await download(context, document: nil)
        }
    }

    /// A stored file — document `index`'s scan, or the result — with its type, `nosniff`, never
    /// cached, its digest as the ETag; whoever may see the ticket.
    func download(_ context: DeskRequestContext, document index: Int?) async throws -> Response {
        let viewer = try context.require(anyOf: Role.configurationReaders).staff
        let (file, bytes) = try await database.storedFile(of: try context.parameter("code"), document: index, viewer: viewer)
        return Response(
            status: .ok,
            headers: [
                .contentType: file.contentType, .init("X-Content-Type-Options")!: "nosniff", .cacheControl: "private, no-store",
                .contentDisposition: "inline", .eTag: "\"\(file.sha256)\"",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The uploads: their body may be as large as the centre's upload limit.
    static func takesFiles(_ request: Request) -> Bool {
        request.method == .put && request.uri.path.hasPrefix("/api/v1/tickets/")
            && (request.uri.path.hasSuffix("/file") || request.uri.path.hasSuffix("/result"))
    }

    static func index(_ context: DeskRequestContext) throws -> Int {
        let text = try context.parameter("index")
        guard let index = Int(text), index >= 0 else {
            throw DeskError.notFound(entity: "document", id: "\(try context.parameter("code"))/\(text)")
        }
        return index
    }

    static func body(_ request: Request, _ context: DeskRequestContext) async throws -> Data {
        var request = request
        return Data(try await request.collectBody(upTo: context.bodyLimit).readableBytesView)
    }

}
