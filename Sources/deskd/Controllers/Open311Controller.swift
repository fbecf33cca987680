import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MultipartKit
import NIOCore
import ServiceDesk

/// Open311 GeoReport v2 under `/open311/v2` (SPEC §7, docs/open311.md): every resource in
/// `.json` and `.xml`, built once as an `Open311Document`. GETs are public; POST requests needs
/// `api_key`, an Open311 key (a token of scope `open311` of an integration member, which opens
/// nothing under `/api/v1`). Errors are the specification's error list, written by
/// `ProblemMiddleware` through `Open311Errors` for every path under `/open311/`. Photos sent as
/// multipart file parts are kept and served at `media/{token}`.
struct Open311Controller {
    /// The one refusal of a key that is not an Open311 key of this centre (unknown, revoked, an
    /// API token, another role's): an anonymous caller learns nothing about it.
    static let keyRefused = "api_key is not a valid Open311 key of this centre"

    static let root = "/open311/v2"

    let database: AppDatabase
    let metrics: DeskMetrics
    var proxies = TrustedProxies()
    /// Large posts read before their key is known, at most this many at once.
    var uploads = StreamSlots(limit: 4)
    /// What an ordinary (photo-less) post fits in: the daemon's body limit.
    var ordinaryBodyLimit = DeskdConfiguration.defaultBodyLimit

    /// The principal of an Open311 key; one refusal for a key that is unknown, revoked or of
    /// another role: an anonymous caller learns nothing about which keys exist (SPEC §8).
    func authenticatedKey(_ key: String) async throws -> Principal {
        guard let principal = try await database.authenticate(token: key), principal.scope == .open311,
            principal.staff.role == .integration
        else {
            throw Problem.forbidden(Self.keyRefused)
        }
        return principal
    }

    func addRoutes(to group: RouterGroup<DeskRequestContext>) {
        for format in Open311Document.Format.allCases {
            let ext = format.rawValue
            group.get("discovery.\(ext)") { request, context in
                let (centre, changeset) = try await database.open311Discovery()
                let changed = W3CDateTime.format(changeset, in: TimeZone(identifier: "UTC")!)
                return Self.response(
                    .discovery(
                        changeset: changed, contact: "\(centre.name) (\(centre.code))",
                        keyService:
                            "Ask the centre's administrator for an integration token (deskcli staff create NAME --role integration …, then deskcli staff token create NAME)",
                        url: endpointURL(request, context)), format)
            }
            group.get("services.\(ext)") { _, _ in
                Self.response(.services(try await database.open311Services()), format)
            }
            group.get("services/{code}.\(ext)") { _, context in
                Self.response(.definition(try await database.open311Service(try context.parameters.require("code"))), format)
            }
            group.get("requests.\(ext)") { request, context in
                let search = try Open311Search.parse(try Self.queryParameters(request), now: database.clock())
                let (requests, zone) = try await database.open311Requests(search, mediaRoot: endpointURL(request, context))
                return Self.response(.requests(requests, zone: zone), format)
            }
            group.get("requests/{id}.\(ext)") { request, context in
                let (found, zone) = try await database.open311Request(
                    try context.parameters.require("id"), mediaRoot: endpointURL(request, context))
                return Self.response(.requests([found], zone: zone), format)
            }
            // GeoReport v2 "batch" services answer a POST with a token; every service here is
            // realtime, so a request's token is its id and the lookup answers at once.
            group.get("tokens/{token}.\(ext)") { _, context in
                let token = try context.parameters.require("token")
                let (request, _) = try await database.open311Request(token)
                return Self.response(.token(token, id: request.serviceRequestId), format)
            }
            group.post("requests.\(ext)") { request, context in
                try await post(request, context: context, format: format)
            }
        }
        // A photo uploaded with a request (its media_url). Not a GeoReport resource: no suffix.
        group.get("media/{token}") { _, context in
            let media = try await database.open311Media(try context.parameters.require("token"))
            return Response(
                status: .ok,
                headers: [
                    .contentType: media.contentType, .init("X-Content-Type-Options")!: "nosniff",
                    .cacheControl: "public, max-age=86400", .contentDisposition: "inline",
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: media.bytes)))
        }
    }

    /// POST requests: the key, then the service, then everything else; a ticket on channel
    /// `open311` through the same intake as every other channel, or an error and nothing stored.
    private func post(_ request: Request, context: DeskRequestContext, format: Open311Document.Format) async throws -> Response {
        var request = request
        var parameters = try Self.queryParameters(request)
        // A key in the query string is checked before a byte of the body is read. Otherwise the
        // key is inside the body, which must be read first: a body larger than an ordinary one
        // (photos) then takes one of a few upload slots, so anonymous uploads cannot hold more
        // than `uploads.limit` × the upload limit of memory at once.
        var principal: Principal?
        if let key = parameters.value("api_key") { principal = try await authenticatedKey(key) }
        let large = request.headers[.contentLength].flatMap(Int.init).map { $0 > ordinaryBodyLimit } ?? true
        let slotted = principal == nil && large
        if slotted {
            guard uploads.enter() else {
                throw Problem(
                    status: .serviceUnavailable, slug: "busy", title: "Busy",
                    detail: "too many large posts without api_key in the query string are being read; retry, or put api_key in the query",
                    headers: [.retryAfter: "5"])
            }
        }
        defer { if slotted { uploads.leave() } }
        let body = try await request.collectBody(upTo: context.bodyLimit)
        let (fields, files) = try Self.bodyParameters(body, contentType: request.headers[.contentType])
        parameters.append(contentsOf: fields)
        if principal == nil {
            guard let key = parameters.value("api_key") else {
                throw Problem.forbidden("api_key is required: an Open311 key of this centre")
            }
            principal = try await authenticatedKey(key)
        }
        guard let principal else { throw Problem.forbidden(Self.keyRefused) }
        guard let code = parameters.value("service_code") else {
            throw DeskError.validation([FieldError("service_code", "is required")])
        }
        _ = try await database.open311Service(code)
        let submission = try Open311Submission.parse(parameters, uploads: files)
        guard case .created(let result, _) = try await database.intake(submission.intake, actor: principal.staff, open311: submission.extra)
        else { throw Problem.badRequest("the request was not stored") }
        metrics.countAction("intake")
        context.logger.info("ticket received", metadata: ["ticket.code": "\(result.receipt.code)", "ticket.channel": "open311"])
        let (created, _) = try await database.open311Request(result.receipt.code, mediaRoot: endpointURL(request, context))
        return Self.response(.created(id: created.serviceRequestId, notice: created.serviceNotice ?? ""), format)
    }

    /// A POST of requests, the one route whose body may carry photos (the upload limit applies).
    static func takesUploads(_ request: Request) -> Bool {
        request.method == .post && [root + "/requests.json", root + "/requests.xml"].contains(request.uri.path)
    }

    static func response(_ document: Open311Document, _ format: Open311Document.Format, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: format.contentType],
            body: .init(byteBuffer: ByteBuffer(string: document.rendered(as: format))))
    }

    /// Where this endpoint is reached, as the client reached it (a trusted reverse proxy's
    /// `X-Forwarded-Proto` and `X-Forwarded-Host` are honoured, nobody else's).
    func endpointURL(_ request: Request, _ context: DeskRequestContext) -> String {
        proxies.origin(request, context) + Self.root
    }

    static func queryParameters(_ request: Request) throws -> Open311Parameters {
        guard let query = request.uri.query, !query.isEmpty else { return Open311Parameters() }
        guard let parameters = Open311Parameters.formEncoded(query) else {
            throw Problem.badRequest("the query string has a malformed %-escape")
        }
        return parameters
    }

    /// A form-encoded or multipart body (GeoReport v2 clients send one of the two): its fields, and
    /// the photos of a multipart body's file parts.
    static func bodyParameters(_ body: ByteBuffer, contentType: String?) throws -> (Open311Parameters, [Open311Upload]) {
        guard body.readableBytes > 0 else { return (Open311Parameters(), []) }
        let media = contentType.flatMap { MediaType(from: $0) }
        if let media, media.isType(.applicationUrlEncoded) {
            guard let text = body.getString(at: body.readerIndex, length: body.readableBytes),
                let parameters = Open311Parameters.formEncoded(text)
            else { throw Problem.badRequest("the form body is not UTF-8 form-urlencoded text") }
            return (parameters, [])
        }
        if let media, media.isType(.multipartForm) {
            guard let boundary = media.parameter?.name == "boundary" ? media.parameter?.value : nil, !boundary.isEmpty else {
                throw Problem.badRequest("a multipart body needs its boundary parameter")
            }
            return try multipart(body, boundary: boundary)
        }
        throw Problem.badRequest(
            "send the parameters as application/x-www-form-urlencoded or multipart/form-data (got \(contentType ?? "no Content-Type"))")
    }

    private final class Part {
        var headers: [(String, String)] = []
        var body = ByteBuffer()
    }

    /// The most parts a multipart post may have (the parameters of GeoReport v2, a few dozen
    /// attributes and some photos), and the most header lines of one part.
    static let maxParts = 100
    static let maxPartHeaders = 10

    static func multipart(_ body: ByteBuffer, boundary: String) throws -> (Open311Parameters, [Open311Upload]) {
        // multipart-kit 4.7.1 indexes a 128-entry table with each header-name byte: a byte of 128
        // or more there crashes the process (found by MultipartFuzzTests). Such a body is refused first.
        guard headerNamesAreASCII(Array(body.readableBytesView), boundary: Array("--\(boundary)".utf8)) else {
            throw Problem.badRequest("the multipart body is malformed")
        }
        let parser = MultipartParser(boundary: boundary)
        var parts: [Part] = []
        var current = Part()
        var tooMany = false
        parser.onHeader = { name, value in
            if current.headers.count < maxPartHeaders { current.headers.append((name, value)) } else { tooMany = true }
        }
        parser.onBody = { chunk in current.body.writeBuffer(&chunk) }
        parser.onPartComplete = {
            if parts.count < maxParts { parts.append(current) } else { tooMany = true }
            current = Part()
        }
        do {
            try parser.execute(body)
        } catch {
            throw Problem.badRequest("the multipart body is malformed")
        }
        guard !tooMany else {
            throw Problem.badRequest("the multipart body has more than \(maxParts) parts or more than \(maxPartHeaders) headers in a part")
        }
        var parameters = Open311Parameters()
        var uploads: [Open311Upload] = []
        for part in parts {
            guard let disposition = part.headers.first(where: { $0.0.lowercased() == "content-disposition" })?.1 else { continue }
            let fields = Self.dispositionParameters(disposition)
            guard let name = fields["name"] else { continue }
            if let filename = fields["filename"] {
                let bytes = Data(part.body.readableBytesView)
                // A file input left empty arrives as a part with an empty file name and no bytes.
                if bytes.isEmpty && filename.isEmpty { continue }
                uploads.append(try Open311Upload.make(part: name, filename: filename, bytes: bytes))
                continue
            }
            guard let value = part.body.getString(at: part.body.readerIndex, length: part.body.readableBytes) else {
                throw Problem.badRequest("'\(name)' is not UTF-8 text")
            }
            parameters.append(name: name, value: value)
        }
        return (parameters, uploads)
    }

    /// Whether every header name of every part — conservatively, every byte before the first `:`
    /// after a CR or LF, from a boundary delimiter to the CRLF CRLF that ends its headers (or to
    /// the end of the body) — is ASCII. Header values may be UTF-8 (a file name in Vietnamese).
    static func headerNamesAreASCII(_ bytes: [UInt8], boundary delimiter: [UInt8]) -> Bool {
        guard !delimiter.isEmpty, bytes.count >= delimiter.count else { return true }
        let (cr, lf) = (UInt8(ascii: "\r"), UInt8(ascii: "\n"))
        var index = 0
        while index <= bytes.count - delimiter.count {
            guard bytes[index] == delimiter[0], Array(bytes[index..<index + delimiter.count]) == delimiter else {
                index += 1
                continue
            }
            var position = index + delimiter.count
            var sawColon = false
            while position < bytes.count {
                let byte = bytes[position]
                if byte == cr || byte == lf {
                    if byte == cr, position + 3 < bytes.count, bytes[position + 1] == lf, bytes[position + 2] == cr,
                        bytes[position + 3] == lf
                    {
                        break  // the end of this part's headers
                    }
                    sawColon = false
                } else if byte == UInt8(ascii: ":") {
                    sawColon = true
                } else if byte >= 0x80 && !sawColon {
                    return false
                }
                position += 1
            }
            index += delimiter.count
        }
        return true
    }

    /// `form-data; name="attribute[x]"; filename="a.jpg"` → its parameters.
    static func dispositionParameters(_ header: String) -> [String: String] {
        var result: [String: String] = [:]
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            result[pair[0].trimmingCharacters(in: .whitespaces).lowercased()] = value
        }
        return result
    }
}

/// The error answer of GeoReport v2: `[{code, description}]` or `<errors><error>…`, in the format
/// the path's suffix asked for; 403 for the key, 404 for an unknown resource, 400 for the rest.
enum Open311Errors {
    static func isOpen311(_ request: Request) -> Bool { request.uri.path.hasPrefix("/open311/") }

    /// `problem` is `Problem.from(error)`; the error itself tells an unmatched route apart.
    static func response(for problem: Problem, error: any Error, request: Request) -> Response {
        let format: Open311Document.Format = request.uri.path.hasSuffix(".xml") ? .xml : .json
        let status: HTTPResponse.Status =
            switch problem.status.code {
            case 401, 403: .forbidden
            case 404: .notFound
            case 405: .methodNotAllowed
            default: .badRequest
            }
        let errors: [(code: Int, description: String)] =
            if let fields = problem.errors, !fields.isEmpty {
                fields.map { (status.code, "\(Open311Submission.parameterName(of: $0.field)): \($0.message)") }
            } else if let error = error as? HTTPError, error.status == .notFound {
                [(404, "no such resource: \(request.uri.path) (resources end in .json or .xml)")]
            } else {
                [(status.code, problem.detail)]
            }
        var response = Open311Controller.response(.errors(errors), format, status: status)
        if let allow = problem.headers[.allow] { response.headers[.allow] = allow }
        return response
    }
}
