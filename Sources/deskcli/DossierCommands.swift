import ArgumentParser
import Foundation
import ServiceDesk

/// A dossier's documents, their scans and the electronic result (docs/dossiers.md).
extension TicketCommand {
    struct Documents: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A dossier's documents and their digitisation, the required components missing, and the electronic result.")
        @OptionGroup var global: GlobalOptions
        @Argument var code: String

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("GET", "api/v1/tickets/\(Path.escape(code))/documents")
            if global.json { return Output.json(data) }
            Documents.show(try client.decode(DossierDocuments.self, from: data))
        }

        static func show(_ dossier: DossierDocuments) {
            Output.table(
                ["#", "document", "component", "originals", "copies", "digitised", "how"],
                dossier.documents.enumerated().map { index, document in
                    let how =
                        document.exemption.map { "exempt: \($0.rawValue)" }
                        ?? document.file.map { "\($0.contentType) \($0.size) B" + ($0.erasedAt == nil ? "" : " (erased)") }
                        ?? document.reuse.map { "reused: \($0)" } ?? (document.digitised ? "marked" : "-")
                    return [
                        String(index), document.name, document.component ?? "-", String(document.originals), String(document.copies),
                        Output.yesNo(document.isDigitised), how,
                    ]
                })
            print("digitised: \(dossier.digitised) of \(dossier.toDigitise) to digitise; reused: \(dossier.reused)")
            if !dossier.missing.isEmpty { print("missing components: " + dossier.missing.joined(separator: ", ")) }
            if let result = dossier.result {
                print("electronic result: \(result.file.contentType) \(result.file.size) B, signature \(result.signature)")
            }
        }
    }

    struct AddDocument: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-document", abstract: "Add a document to an open dossier (received with a supplement, or listed late).")
        @OptionGroup var global: GlobalOptions
        @Argument var code: String
        @Option(help: "The document's name (or give --component: its name is the component's).") var name: String?
        @Option(help: "The code of the service's component, e.g. TP1.") var component: String?
        @Option(help: "Originals shown or kept.") var originals: Int?
        @Option(help: "Copies (default 1, or 0 with --originals).") var copies: Int?
        @Flag(help: "Copied into electronic form at reception.") var digitised = false
        @Option var pages: Int?
        @Option(help: "The reference of a digitised copy reused from the citizen's data store.") var reuse: String?
        @Option(help: "Why it need not be digitised: online, shown, verification or classified.") var exemption: String?

        func run() async throws {
            var body: [String: AnyEncodable] = ["name": AnyEncodable(name ?? "")]
            body["component"] = component.map(AnyEncodable.init)
            body["originals"] = originals.map(AnyEncodable.init)
            body["copies"] = copies.map(AnyEncodable.init)
            if digitised { body["digitised"] = AnyEncodable(true) }
            body["pages"] = pages.map(AnyEncodable.init)
            body["reuse"] = reuse.map(AnyEncodable.init)
            body["exemption"] = exemption.map(AnyEncodable.init)
            let client = try global.client()
            let data = try await client.call("POST", "api/v1/tickets/\(Path.escape(code))/documents", json: body)
            if global.json { return Output.json(data) }
            Documents.show(try client.decode(DossierDocuments.self, from: data))
        }
    }

    struct Scan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store the scan of document INDEX (a PDF, JPEG, PNG or TIFF file): the document is digitised.")
        @OptionGroup var global: GlobalOptions
        @Argument var code: String
        @Argument(help: "The document's position in `ticket documents` (0 first).") var index: Int
        @Argument(help: "The file to store.") var path: String

        func run() async throws {
            try await TicketCommand.upload(path, to: "api/v1/tickets/\(Path.escape(code))/documents/\(index)/file", global: global)
        }
    }

    struct File: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write the stored scan of document INDEX to a file (or standard output).")
        @OptionGroup var global: GlobalOptions
        @Argument var code: String
        @Argument var index: Int
        @Option(name: .shortAndLong, help: "Where to write it; standard output if absent.") var output: String?

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("GET", "api/v1/tickets/\(Path.escape(code))/documents/\(index)/file")
            try TicketCommand.write(data, to: output)
        }
    }

    struct Result: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store the electronic result: the signed file and its digital signature's reference (Decree 45/2020/NĐ-CP art. 14).")
        @OptionGroup var global: GlobalOptions
        @Argument var code: String
        @Argument(help: "The signed result (PDF or image).") var path: String
        @Option(help: "The reference of the result's digital signature.") var signature: String

        func run() async throws {
            try await TicketCommand.upload(
                path, to: "api/v1/tickets/\(Path.escape(code))/result", query: ["signature": signature], global: global)
        }
    }

    struct ResultFile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "result-file", abstract: "Write the electronic result's file to a file (or standard output).")
        @OptionGroup var global: GlobalOptions
        @Argument var code: String
        @Option(name: .shortAndLong, help: "Where to write it; standard output if absent.") var output: String?

        func run() async throws {
            let client = try global.client()
            try TicketCommand.write(try await client.call("GET", "api/v1/tickets/\(Path.escape(code))/result"), to: output)
        }
    }

    /// Sends a file as the raw body of a `PUT` (its bytes decide its type) and shows the documents.
    static func upload(_ path: String, to route: String, query: [String: String?] = [:], global: GlobalOptions) async throws {
        guard let file = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
        let client = try global.client()
        let data = try await client.call("PUT", route, query: query, body: file, headers: ["Content-Type": "application/octet-stream"])
        if global.json { return Output.json(data) }
        Documents.show(try client.decode(DossierDocuments.self, from: data))
    }

    static func write(_ data: Data, to path: String?) throws {
        guard let path else { return FileHandle.standardOutput.write(data) }
        guard FileManager.default.createFile(atPath: path, contents: data) else { throw ValidationError("cannot write \(path)") }
    }
}
