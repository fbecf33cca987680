import Foundation
import GRDB
import Testing

@testable import ServiceDesk

/// The intake's shortcuts (issue 17, docs/benchmarks.md) give what the slow paths give.
@Suite("The intake's shortcuts agree with the slow paths")
struct HotPathTests {
    @Test("search folding: each Latin scalar and random Vietnamese text fold as Foundation folds them")
    func folding() {
        for range in TextFolding.LatinTable.ranges {
            for value in range {
                guard let scalar = Unicode.Scalar(value) else { continue }
                let text = "a" + String(scalar) + " b"
                #expect(TextFolding.fold(text) == TextFolding.foundationFold(text), "U+\(String(value, radix: 16, uppercase: true))")
            }
        }
        let alphabet =
            Array(
                "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXYáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
                    + "ÁÀẢÃẠẤẦẨẪẬẮẰẲẴẶÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ0123456789 ,.-/()'\"ßæøåçñİıŉǅ\u{00A0}\u{00AD}"
            ).map { String($0) } + ["e\u{0301}", "a\u{0323}\u{0302}", "o\u{031B}\u{0303}", "\u{0300}", "D\u{0323}"]
        // The one intended difference: a đ carrying a combining mark (never so in Vietnamese) is
        // d too, where Foundation's replacement of "đ" does not see it in its larger character.
        func reference(_ text: String) -> String {
            let view = String.UnicodeScalarView(text.unicodeScalars.map { $0 == "đ" || $0 == "Đ" ? "d" : $0 })
            return TextFolding.foundationFold(String(view))
        }
        #expect(TextFolding.fold("Đ\u{0300}ặng") == "dang")
        var random = SeededGenerator(state: 17)
        for _ in 0..<3_000 {
            let text = (0..<Int.random(in: 0...40, using: &random)).map { _ in alphabet.randomElement(using: &random)! }.joined()
            #expect(TextFolding.fold(text) == reference(text), "\(text.debugDescription)")
        }
        // Outside the table: Foundation folds the whole text (Greek's final sigma, a full-width
        // letter, a CJK name).
        for text in ["ΟΔΟΣ Σ", "Ｄặng", "阮文 Nguyễn", "Đặng Thị Hoa"] {
            #expect(TextFolding.fold(text) == TextFolding.foundationFold(text), "\(text)")
        }
        #expect(TextFolding.fold("Đặng THỊ Hoà, 12 Lê Lợi") == "dang thi hoa, 12 le loi")
    }

    @Test("text taken as NFC without normalising is NFC: every scalar of the shortcut alone and beside every other")
    func nfc() async {
        // The scalars the shortcut takes, as it says (the Basic Multilingual Plane asked).
        let quick = (UInt32(1)..<0x10000).compactMap(Unicode.Scalar.init).filter { Text.isNFC(String($0)) }
        #expect(quick.count == 0x2FF + 0x100)
        for scalar in quick {
            #expect(scalar.properties.canonicalCombiningClass == .notReordered, "U+\(String(scalar.value, radix: 16))")
        }
        // Every ordered pair side by side in one text (a, b, a, b′ … for each a): NFC composes or
        // reorders only neighbours, so one text unchanged says every pair is.
        var pairs = String.UnicodeScalarView()
        for first in quick {
            await Task.yield()
            for second in quick {
                pairs.append(first)
                pairs.append(second)
            }
        }
        let text = String(pairs)
        #expect(Text.isNFC(text))
        #expect(text.precomposedStringWithCanonicalMapping.unicodeScalars.elementsEqual(text.unicodeScalars))
        // Just outside it: a combining mark, a decomposed Vietnamese letter, a Greek letter NFC
        // changes (U+1F71 → U+03AC).
        for outside in ["e\u{0301}", "a\u{0323}\u{0302}", "\u{1F71}", "Đặng\u{0300}"] {
            #expect(!Text.isNFC(outside))
            #expect(Text.clean(outside) == outside.precomposedStringWithCanonicalMapping)
        }
        #expect(Text.clean("  Nguyễn Văn Thử \n") == "Nguyễn Văn Thử")
        #expect(Text.clean("Nguye\u{0302}\u{0303}n") == "Nguyễn")
    }

    @Test("a statement's arguments reach GRDB as GRDB's own initialisers make them, and bind alike")
    func statementArguments() throws {
        let values: [(any DatabaseValueConvertible)?] = [1, "Đặng", nil, 2.5, Data([0, 1]), Int64.max]
        let named: [String: (any DatabaseValueConvertible)?] = ["a": "x", "b": nil, "c": 3]
        #expect(SQLArguments(values).statementArguments.description == StatementArguments(values).description)
        // (Named ones print in their dictionary's order, which differs run to run: compared by binding.)
        #expect(SQLArguments([] as [(any DatabaseValueConvertible)?]).statementArguments.isEmpty)
        // And through a statement: positional and named values read back as bound.
        let queue = try DatabaseQueue()
        let row = try queue.read { db in
            try Row.fetchOne(
                SQLiteSession(db), sql: "SELECT ? AS one, ? AS two, ? AS three",
                arguments: SQLArguments([7, "bảy", nil] as [(any DatabaseValueConvertible)?]))
        }
        #expect(row?["one"] == 7 && row?["two"] == "bảy" && row?["three"] == nil as String?)
        let named2 = try queue.read { db in
            try String.fetchOne(SQLiteSession(db), sql: "SELECT :a || :c", arguments: SQLArguments(named))
        }
        #expect(named2 == "x3")
        let both = try queue.read { db in
            try String.fetchOne(
                SQLiteSession(db), sql: "SELECT ? || :a || ?",
                arguments: SQLArguments(["(", ")"] as [(any DatabaseValueConvertible)?]) + SQLArguments(named))
        }
        #expect(both == "(x)")
        // Texts bound on the write path (`SQLiteSession.bind`, from the string's bytes) are stored
        // as GRDB's own binding stores them — a NUL ends the text in both.
        let texts = ["", "Đặng Thị Hoa", "a\u{0}b", "🇻🇳 e\u{301}", String(repeating: "dài ", count: 500), Substring("xyz").description]
        let stored = try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (ours TEXT, grdb TEXT)")
            for text in texts {
                try SQLiteSession(db).execute(sql: "INSERT INTO t (ours) VALUES (?)", arguments: [text], cached: true)
                let id = db.lastInsertedRowID
                try db.execute(sql: "UPDATE t SET grdb = ? WHERE rowid = ?", arguments: [text, id])
            }
            return try Row.fetchAll(db, sql: "SELECT ours, grdb, typeof(ours) AS type FROM t ORDER BY rowid")
        }
        #expect(stored.count == texts.count)
        for (row, text) in zip(stored, texts) {
            #expect(row["type"] == "text")
            #expect(row["ours"] == row["grdb"] as String?, "\(text.debugDescription)")
        }
        #expect(stored[2]["ours"] == "a")
    }

    @Test("an ASCII text's words, split a byte at a time, are the words Character's letters and numbers give")
    func asciiWords() {
        // Every ASCII byte alone and between letters, then random ASCII texts.
        for value in UInt8(0)..<0x80 {
            let text = "a" + String(UnicodeScalar(value)) + "b " + String(UnicodeScalar(value))
            #expect(TextFolding.asciiWords(text) == TextFolding.words(text), "byte \(value)")
        }
        var random = SeededGenerator(state: 31)
        for _ in 0..<3_000 {
            let bytes = (0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0..<0x80, using: &random) }
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(TextFolding.asciiWords(text) == TextFolding.words(text), "\(text.debugDescription)")
        }
        #expect(TextFolding.asciiWords("dang thi hoa, 12 le loi\r\n#42") == "dang thi hoa 12 le loi 42")
        #expect(TextFolding.asciiWords("đèn") == nil)
        #expect(TextFolding.searchBody("Đặng Thị Hoà, 12 Lê Lợi") == "dang thi hoa 12 le loi")
        #expect(TextFolding.searchBody("阮文 Nguyễn-Văn") == TextFolding.words(TextFolding.fold("阮文 Nguyễn-Văn")))
    }

    @Test("an intake's search words, folded in parts before the write, are the words of its whole row folded at once")
    func intakeWords() async throws {
        // Pieces that meet at the joins: marks that would combine with what precedes, separators,
        // empty texts, other scripts.
        let pieces = [
            "", " ", "Nguyễn", "Văn", "đèn đường", "12 Lê Lợi", "\u{0301}", "e\u{0301}", "-", ".", "ΟΔΟΣ Σ", "阮文", "Ｄặng", "\u{00A0}",
            "ậ", "Đ\u{0300}", "#42", "HCM-2026/7",
        ]
        var random = SeededGenerator(state: 29)
        func text() -> String { (0..<Int.random(in: 0...4, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined() }
        // 400 rows, yielding between them: validation and Foundation's folding are slow in a debug
        // build, and a test that holds a thread of the pool for long starves the end-to-end tests'
        // waits running beside it (2,000 rows held both of CI's for 40 s).
        for _ in 0..<400 {
            await Task.yield()
            var request = IntakeRequest(
                service: "S", channel: "web", applicant: ApplicantDraft(name: "Nguyễn " + text(), address: text()), description: text(),
                location: Location(address: text(), lat: nil, long: nil))
            request.portalCode = Bool.random(using: &random) ? nil : "P\(Int.random(in: 1...999, using: &random)).HCM-26_x"
            let (input, words) = try AppDatabase.prepared(request, currentYear: 2026)
            let code = "000.00.00.H01-261203-" + String(Int.random(in: 1...9999, using: &random))
            let name = text()
            let whole = TextFolding.searchBody(
                [code, name, input.description, input.location?.address ?? "", input.portalCode ?? ""].joined(separator: " "))
            // One difference: a đ carrying a combining mark (never so in Vietnamese) is folded to d
            // in a Latin text and left as it is in a text with another script, which Foundation
            // folds whole (see `folding`); folded in parts, each part decides for itself. Only
            // that đ may differ.
            #expect(
                words.ticket(code: code, serviceName: name).replacingOccurrences(of: "đ", with: "d")
                    == whole.replacingOccurrences(of: "đ", with: "d"),
                "\(input.description.debugDescription) \(name.debugDescription)")
            let applicant = input.applicant
            #expect(
                words.applicant
                    == TextFolding.searchBody(
                        [applicant.name, applicant.address ?? "", applicant.representative?.name ?? ""].joined(separator: " ")))
        }
    }

    @Test("an intake's answer, and values built to reach every branch, are written byte for byte as JSONEncoder writes them")
    func directJSON() async throws {
        let centre = try await Centre2026()
        let pieces = [
            "a", "Đặng", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{08}", "\u{0C}", "\u{00}", "\u{1F}", "\u{7F}", "\u{2028}", "🇻🇳",
            "e\u{301}", "中", "</script>", "'",
        ]
        var random = SeededGenerator(state: 31)
        func text(_ most: Int = 6) -> String {
            (0..<Int.random(in: 1...most, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
        }
        for round in 0..<40 {
            let request = IntakeRequest(
                service: ["1.004227", "HD-TTHC"][round % 2], channel: "counter",
                applicant: ApplicantDraft(name: "Nguyễn " + text(), phone: "0912345678", address: text()), description: text(12),
                location: round % 3 == 0
                    ? nil
                    : Location(address: text(), lat: Double.random(in: -90...90, using: &random), long: [0, 105.5, -0.1, 1e-7][round % 4]),
                documents: [Document(name: "Tờ khai \(round) " + text(), copies: 1 + round % 3, original: round % 2 == 0)],
                priority: ["normal", "priority", "urgent"][round % 3], priorityReason: round % 3 == 1 ? "người cao tuổi " + text() : nil,
                outcome: round % 5 == 4 ? "incomplete" : nil, missing: round % 5 == 4 ? [text(), text()] : nil)
            guard case .created(let result, let body) = try await centre.database.intake(request, actor: try await centre.staff("lan.mc"))
            else { throw DeskError.conflict("replayed") }
            let foundation = try APIJSON.encoder.encode(result)
            #expect(try DirectJSON.encode(result) == foundation, "\(String(decoding: foundation, as: UTF8.self))")
            #expect(body == foundation, "the intake's answer")
        }
        // Shapes an intake's answer lacks: numbers at their edges, dates with fractions, a key given
        // twice, keys that sort by their bytes, nested and empty containers, nil in a list.
        struct Shapes: Encodable {
            var numbers: [Double] = [0, -0.0, 0.1, 1e-7, 1e21, 123456789.125, -2.5, Double.leastNonzeroMagnitude, 1 / 3]
            var integers: [Int64] = [Int64.min, -1, 0, Int64.max]
            var flags = [true, false]
            var dates = [
                Date(timeIntervalSince1970: 1_764_000_000.75), Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -1.5),
                Date(timeIntervalSince1970: 951_782_399), Date(timeIntervalSince1970: 951_868_800),
                Date(timeIntervalSince1970: 1_709_164_800),
                Date(timeIntervalSince1970: 4_107_542_399), Date(timeIntervalSince1970: 253_402_300_799),
                Date(timeIntervalSince1970: 253_402_300_800), Date(timeIntervalSince1970: -86_400),
            ]
            var keys: [String: Int] = [
                "b": 1, "B": 2, "a_b": 3, "aB": 4, "ä": 5, "a": 6, "10": 7, "9": 8, "": 9, "ab": 10, "z\u{1F600}": 11, "zz": 12,
                // Keys alike in their first eight bytes, which the writer compares as one number.
                "countingStartAt": 13, "countingStartLocal": 14, "countingStart": 15, "abcdefgh": 16, "abcdefgh\u{0}": 17,
                "abcdefghi": 18, "abcdefg": 19, "abcdefg\u{0}": 20, "\u{0}": 21, "\u{FF}": 22,
            ]
            var nested: [String: [String: [String?]]] = ["x": ["y": ["z", nil]], "e": [:]]
            var empty: [Int] = []
            var missing: String? = nil
            var data = Data([0, 1, 2, 250])
            var url = URL(string: "https://example.org/a b?c=d")

            enum Keys: String, CodingKey { case numbers, integers, flags, dates, keys, nested, empty, missing, data, url, twice }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(numbers, forKey: .numbers)
                try container.encode(integers, forKey: .integers)
                try container.encode(flags, forKey: .flags)
                try container.encode(dates, forKey: .dates)
                try container.encode(keys, forKey: .keys)
                try container.encode(nested, forKey: .nested)
                try container.encode(empty, forKey: .empty)
                try container.encodeIfPresent(missing, forKey: .missing)
                try container.encode(data, forKey: .data)
                try container.encode(url, forKey: .url)
                try container.encode("first", forKey: .twice)
                var again = encoder.container(keyedBy: Keys.self)
                try again.encode("second", forKey: .twice)
                try again.encodeNil(forKey: .missing)
            }
        }
        // Dates as Foundation's format style writes them, over the whole range written directly.
        for _ in 0..<2_000 {
            let date = Date(timeIntervalSince1970: Double(Int64.random(in: 0..<253_402_300_800, using: &random)))
            #expect(DirectJSON.iso8601(date) == date.formatted(.iso8601))
        }
        // Random objects of keys that share long beginnings, against Foundation's order.
        let keyPieces = ["a", "b", "A", "ab", "abcdefgh", "countingStart", "due", "Local", "\u{0}", "é", "ễ", "_", "1"]
        for _ in 0..<500 {
            var object: [String: Int] = [:]
            for value in 0..<Int.random(in: 0...40, using: &random) {
                object[(0..<Int.random(in: 0...4, using: &random)).map { _ in keyPieces.randomElement(using: &random)! }.joined()] = value
            }
            #expect(try DirectJSON.encode(object) == APIJSON.encoder.encode(object), "\(object)")
        }
        let shapes = try APIJSON.encoder.encode(Shapes())
        #expect(try DirectJSON.encode(Shapes()) == shapes, "\(String(decoding: shapes, as: UTF8.self))")
        #expect(
            try APIJSON.encode(Decimal(string: "1.5")!) == APIJSON.encoder.encode(Decimal(string: "1.5")!), "Foundation's, for a Decimal")

        // The coding path a nested value is told (built only when asked): the keys down to it, as
        // Foundation's encoder tells them (Foundation adds a list's index; this writer does not, as before).
        final class Paths: @unchecked Sendable { var seen: [String] = [] }
        struct Probe: Encodable {
            let paths: Paths
            func encode(to encoder: any Encoder) throws {
                paths.seen.append(encoder.codingPath.map(\.stringValue).joined(separator: "."))
                var container = encoder.singleValueContainer()
                try container.encode("probe")
            }
        }
        struct Outer: Encodable {
            let probe: Probe
            enum Keys: String, CodingKey { case inner, list, deeper, probe }
            enum Deeper: String, CodingKey { case more }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(["probe": probe], forKey: .inner)
                var deeper = container.nestedContainer(keyedBy: Deeper.self, forKey: .deeper)
                try deeper.encode(probe, forKey: .more)
                try container.encode(probe, forKey: .probe)
            }
        }
        let ours = Paths()
        let theirs = Paths()
        #expect(try DirectJSON.encode(Outer(probe: Probe(paths: ours))) == APIJSON.encoder.encode(Outer(probe: Probe(paths: theirs))))
        #expect(ours.seen == ["inner.probe", "deeper.more", "probe"])
        // (Foundation's encoder leaves a nested container's own key out of the path — "more" —
        // which the protocol's documentation does not: that one is not compared.)
        #expect([ours.seen[0], ours.seen[2]] == [theirs.seen[0], theirs.seen[2]])
    }

    @Test(
        "an intake's answer written field by field is JSONEncoder's, with every optional field set and with none; a field it does not write fails"
    )
    func intakeJSON() async throws {
        let centre = try await Centre2026()
        let request = IntakeRequest(
            service: "1.004227", channel: "counter", applicant: ApplicantDraft(name: "Nguyễn Văn \"A\"", phone: "0912345678"),
            description: "a\nb </script>")
        guard case .created(let base, let body) = try await centre.database.intake(request, actor: try await centre.staff("lan.mc"))
        else { throw DeskError.conflict("replayed") }
        #expect(body == (try APIJSON.encoder.encode(base)))

        // Every field of every type in the answer set, dates with and without a fraction.
        let at = Date(timeIntervalSince1970: 1_764_000_000)
        let odd = Date(timeIntervalSince1970: 1_764_000_000.25)
        let file = StoredFile(
            id: 7, contentType: "application/pdf", size: 12_345, sha256: "ab", uploadedAt: odd, uploadedBy: "lan.mc", erasedAt: at)
        var document = Document(name: "Tờ khai", copies: 2, originals: 1, component: "c1", digitised: true, pages: 3, reuse: "R-1")
        document.exemption = DigitisationExemption.allCases.last
        document.file = file
        let charge = Charge(kind: .lePhi, amount: 50_000, remittance: .budget, label: "lệ phí \\ \"x\"")
        var full = base
        var ticket = full.ticket.ticket
        ticket.location = Location(address: "số 1/2", lat: 21.0285, long: -105.5)
        ticket.documents = [document, Document(name: "Bản sao")]
        ticket.priorityReason = "người cao tuổi"
        ticket.charges = [charge]
        ticket.awaitingReason = .payment
        ticket.resumeState = .inProgress
        ticket.step = 2
        ticket.department = "VP"
        ticket.holder = "hung.tp"
        ticket.countingStartAt = at
        ticket.dueAt = odd
        ticket.revisedDueAt = at
        ticket.pausedAt = at
        ticket.resolvedAt = at
        ticket.returnedAt = at
        ticket.closedAt = at
        ticket.outcome = .granted
        ticket.outcomeNote = "ghi chú\t"
        ticket.earlyReturn = true
        ticket.rating = .verySatisfied
        ticket.ratingComment = "tốt"
        ticket.apologisedAt = at
        ticket.decision = .refused
        ticket.queueNumber = "A012"
        ticket.severity = Severity(code: "S1", timeLimit: TimeLimit("2d"), roundTheClock: true)
        ticket.nature = .complaint
        ticket.reopened = 1
        ticket.mergedInto = "X-1"
        ticket.portalCode = "P-1"
        ticket.portalReference = "ref"
        ticket.resultSignature = "sig"
        full.ticket.ticket = ticket
        full.ticket.applicant = Applicant(
            kind: .organisation, name: "Công ty A", idNumber: "001", taxCode: "0101", phone: "+84912345678", email: "a@b.vn",
            address: "Hà Nội", representative: Representative(name: "B", idNumber: "002", phone: "+84900000000", authorisation: "GUQ 1"))
        full.ticket.attributes = ["b": ["x", "y\""], "a": [], "É": ["1"], "B": ["2"]]
        full.ticket.forms = full.receipt.forms + [FormLink(code: ticket.code, form: .receipt, number: nil)]
        full.receipt.countingStartAt = at
        full.receipt.dueAt = odd
        full.receipt.dueLocal = "08:00 01/12/2026"
        full.receipt.documents = [document]
        full.receipt.charges = [charge, charge]
        full.receipt.missing = ["bản chính"]
        full.receipt.reasons = "thiếu"
        full.receipt.warnings = ["lịch 2027"]

        // A type that gains a field fails here until `IntakeJSON` writes it (and this value sets it).
        func unset(_ value: Any, _ path: String) -> [String] {
            let mirror = Mirror(reflecting: value)
            if mirror.displayStyle == .optional {
                guard let wrapped = mirror.children.first else { return [path] }
                return unset(wrapped.value, path)
            }
            guard String(reflecting: type(of: value)).hasPrefix("ServiceDesk.") else {
                // A list's first element is the one set in full (the others may leave fields out).
                if mirror.displayStyle == .collection || mirror.displayStyle == .dictionary {
                    return mirror.children.first.map { unset($0.value, "\(path)[0]") } ?? []
                }
                return []
            }
            guard mirror.displayStyle == .struct else { return [] }
            return mirror.children.flatMap { child in
                let inner = Mirror(reflecting: child.value)
                if inner.displayStyle == .collection, inner.children.isEmpty,
                    String(reflecting: type(of: child.value)).contains("ServiceDesk.")
                {
                    return ["\(path).\(child.label ?? "?") (empty)"]
                }
                return unset(child.value, "\(path).\(child.label ?? "?")")
            }
        }
        #expect(unset(full, "result") == [])

        for value in [base, full] {
            let foundation = try APIJSON.encoder.encode(value)
            #expect(try IntakeJSON.encode(value) == foundation, "\(String(decoding: foundation, as: UTF8.self))")
        }
        // Each optional field alone unset, and the lists emptied: the same bytes.
        var bare = full
        bare.ticket.attributes = [:]
        bare.ticket.forms = []
        bare.ticket.ticket.documents = []
        bare.ticket.ticket.charges = []
        bare.ticket.ticket.location = Location()
        bare.ticket.applicant?.representative = Representative(name: "C")
        bare.receipt.missing = []
        #expect(try IntakeJSON.encode(bare) == (try APIJSON.encoder.encode(bare)))
        // A number JSON cannot hold: not written here, left to the general writer (which refuses it).
        var infinite = full
        infinite.ticket.ticket.location?.lat = .infinity
        #expect(throws: DirectJSON.Unsupported.self) { try IntakeJSON.encode(infinite) }
        #expect(throws: (any Error).self) { try APIJSON.encodeIntake(infinite) }
    }

    @Test("text is trimmed of exactly the scalars Foundation trims, and random text trims alike")
    func trimming() async {
        for value in UInt32(0)...0x10FFFF {
            // A yield now and then: a thread of the test pool held for seconds starves the
            // end-to-end tests' waits running beside it (see intakeWords).
            if value % 0x10000 == 0 { await Task.yield() }
            guard let scalar = Unicode.Scalar(value) else { continue }
            let alone = String(Character(scalar))
            #expect(
                Text.trimmed(alone) == alone.trimmingCharacters(in: .whitespacesAndNewlines),
                "U+\(String(value, radix: 16, uppercase: true))")
        }
        var generator = SystemRandomNumberGenerator()
        let pieces = [
            " ", "\t", "\n", "\r\n", "\u{85}", "\u{A0}", "\u{2028}", "\u{3000}", "\u{200B}", "\u{FEFF}", "a", "Đặng", "e\u{301}", "\u{301}",
            "  x  ", "🇻🇳", "\u{1C}", "ậ", "中",
        ]
        for _ in 0..<5_000 {
            let text = (0..<Int.random(in: 0...8, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            #expect(Text.trimmed(text) == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(Array(text.unicodeScalars))")
        }
    }

    @Test("an audit event's detail is written byte for byte as JSONEncoder writes it")
    func canonicalJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let pieces = [
            "a", "B", "z", "_", "to", "toDepartment", "dueAt", "é", "đ", "Ư", "1", "10", "9", " ", "\"", "\\", "/", "\n", "\t", "\r",
            "\u{8}", "\u{C}", "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "\u{2028}", "😀", "Hồ sơ",
        ]
        var random = SeededGenerator(state: 2026)
        func text() -> String { (0..<Int.random(in: 0...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined() }
        for _ in 0..<2_000 {
            var map: [String: String] = [:]
            for _ in 0..<Int.random(in: 0...8, using: &random) { map[text()] = text() }
            let expected = String(decoding: try encoder.encode(map), as: UTF8.self)
            #expect(CanonicalJSON.object(map) == expected, "\(map)")
        }
    }

    @Test("the centre and services kept in memory follow changes made by another connection, and not rolled-back ones")
    func catalogueCache() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("d.sqlite").path
            let clock = TestClock("2026-11-30 09:00")
            let deskd = try AppDatabase.open(path: path, clock: { clock.now })
            _ = try deskd.bootstrap()
            _ = try await Demo.load(into: deskd, actor: "admin")
            let admin = try await deskd.staff("admin")
            func intake() async throws -> IntakeResult {
                let request = IntakeRequest(
                    service: "HD-TTHC", applicant: ApplicantDraft(name: "Đặng Thị Hoa", idNumber: "079190001234", phone: "0912345678"),
                    description: "Hỏi về thủ tục")
                guard case .created(let result, _) = try await deskd.intake(request, actor: admin) else {
                    throw DeskError.idempotencyKeyReused
                }
                return result
            }
            // The cache is only as good as its triggers: a migration that rebuilds one of these tables
            // (DROP and RENAME) drops them with it, and must make them again.
            let triggers = try await deskd.read { db in
                try String.fetchAll(
                    db, sql: "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%\\_generation' ESCAPE '\\'")
            }
            for table in ["centre", "service", "service_step", "service_charge"] {
                #expect(triggers.filter { $0 == table }.count == 3, "insert, update and delete triggers of \(table)")
            }
            let first = try await intake()
            let name = first.receipt.serviceName
            #expect(first.receipt.code.hasPrefix("\(Centre.bootstrap.code)-"))

            // `deskcli` on the same file: another process, another connection.
            let cli = try AppDatabase.open(path: path, schema: .requireCurrent, clock: { clock.now })
            let patch = try APIJSON.decoder.decode(ServicePatch.self, from: Data(#"{"name": "Hỏi đáp thủ tục (mới)"}"#.utf8))
            _ = try await cli.updateService("HD-TTHC", patch, actor: "admin")
            let centre = try APIJSON.decoder.decode(CentrePatch.self, from: Data(#"{"code": "000.00.31.H99"}"#.utf8))
            _ = try await cli.updateCentre(centre, actor: "admin")
            try cli.close()
            let second = try await intake()
            #expect(second.receipt.serviceName == "Hỏi đáp thủ tục (mới)")
            #expect(second.receipt.code.hasPrefix("000.00.31.H99-"))
            #expect(second.receipt.serviceName != name)

            // A change read inside a transaction that then rolls back is never taken for the catalogue.
            struct Abandoned: Error {}
            await #expect(throws: Abandoned.self) {
                try await deskd.writer.write { db in
                    try db.execute(sql: "UPDATE service SET name = 'abandoned' WHERE code = 'HD-TTHC'")
                    #expect(try deskd.catalogue.service(SQLiteSession(db), "HD-TTHC").name == "abandoned")
                    throw Abandoned()
                }
            }
            #expect(try await intake().receipt.serviceName == "Hỏi đáp thủ tục (mới)")
            try deskd.close()
        }
    }

    @Test("an intake's body read from its bytes gives what JSONDecoder gives, and every body it cannot be sure of is left to JSONDecoder")
    func intakeRequestJSON() throws {
        var random = SeededGenerator(state: 43)
        func pick<T>(_ items: [T]) -> T { items.randomElement(using: &random)! }
        func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }
        func space() -> String { chance(80) ? "" : pick([" ", "\n", "\t", "\r\n  "]) }
        let pieces = [
            "a", "Đặng", " ", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\b", "\\f", "\\r", "\\u00e9", "\\u0000", "\\uD83C\\uDDFB",
            "\\ud83c", "\\uDC00x", "\\x", "🇻🇳", "e\u{301}", "中", "</script>", "'", "\u{7F}", "\u{1F}", "/",
        ]
        func text() -> String { "\"" + (0..<Int.random(in: 0...5, using: &random)).map { _ in pick(pieces) }.joined() + "\"" }
        func number() -> String {
            pick([
                "0", "-0", "7", "-12", "105.5", "16.054407", "-0.0", "1e3", "2.5E-3", "01", "1.", ".5", "-", "1e400", "123456789012345678",
                "1234567890123456789", "0.12345678901234567", "3.000", "+1", "1.5e", String(Int.random(in: -200...200, using: &random)),
                String(Double.random(in: -180...180, using: &random)),
            ])
        }
        func anyValue(_ depth: Int = 0) -> String {
            switch Int.random(in: 0..<(depth > 2 ? 5 : 7), using: &random) {
            case 0: text()
            case 1: number()
            case 2: pick(["true", "false", "null", "nul", "True"])
            case 3: "[]"
            case 4: "{}"
            case 5: "[" + (0..<Int.random(in: 1...3, using: &random)).map { _ in anyValue(depth + 1) }.joined(separator: ",") + "]"
            default: object((0..<Int.random(in: 1...3, using: &random)).map { _ in (pick(["x", "name", "a b"]), anyValue(depth + 1)) })
            }
        }
        func object(_ fields: [(String, String)]) -> String {
            "{" + space() + fields.map { "\"\($0.0)\"" + space() + ":" + space() + $0.1 }.joined(separator: space() + "," + space())
                + space() + "}"
        }
        /// A field's value: mostly of its type, sometimes null or another type.
        func value(_ typed: () -> String) -> String { chance(75) ? typed() : chance(50) ? "null" : anyValue() }
        func fields(_ schema: [(String, () -> String)]) -> String {
            var chosen = schema.filter { _ in chance(60) }.map { ($0.0, value($0.1)) }
            if chance(10) { chosen.append((pick(["unknown", "Service", "applicant_", "ticket"]), anyValue())) }
            if chance(4), let first = chosen.first { chosen.append((first.0, value { text() })) }
            if chance(3) { chosen = chosen.map { (key, value) in (key.replacingOccurrences(of: "e", with: "\\u0065"), value) } }
            return object(chosen.shuffled(using: &random))
        }
        let strings = { text() }
        func representative() -> String {
            fields([("name", strings), ("idNumber", strings), ("phone", strings), ("authorisation", strings)])
        }
        func applicant() -> String {
            fields([
                ("kind", { pick(["\"citizen\"", "\"organisation\"", text()]) }), ("name", strings), ("idNumber", strings),
                ("taxCode", strings),
                ("phone", strings), ("email", strings), ("address", strings), ("representative", representative),
            ])
        }
        func location() -> String { fields([("address", strings), ("lat", number), ("long", number)]) }
        func document() -> String {
            fields([
                ("name", strings), ("copies", number), ("original", { pick(["true", "false"]) }), ("originals", number),
                ("component", strings),
                ("digitised", { pick(["true", "false"]) }), ("pages", number), ("reuse", strings),
                ("exemption", { pick(["\"online\"", "\"shown\"", "\"other\"", text()]) }), ("file", { pick(["null", "{}"]) }),
            ])
        }
        func list(_ item: () -> String) -> String {
            "[" + (0..<Int.random(in: 0...3, using: &random)).map { _ in item() }.joined(separator: ",") + "]"
        }
        func body() -> String {
            fields([
                ("service", { pick(["\"HD-TTHC\"", "\"1.004227\"", text()]) }), ("channel", { pick(["\"web\"", "\"counter\"", text()]) }),
                ("applicant", applicant), ("description", strings), ("location", location), ("documents", { list(document) }),
                ("priority", strings), ("priorityReason", strings), ("outcome", strings), ("missing", { list(strings) }),
                ("reasons", strings),
                ("queueNumber", strings), ("severity", strings), ("portalCode", strings), ("portalReference", strings),
            ])
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func same(_ one: IntakeRequest, _ other: IntakeRequest) throws -> Bool {
            try encoder.encode(one) == encoder.encode(other) && one.location?.lat?.bitPattern == other.location?.lat?.bitPattern
                && one.location?.long?.bitPattern == other.location?.long?.bitPattern
        }
        var read = 0
        var decoded = 0
        for round in 0..<6_000 {
            var bytes = Array((space() + body() + space()).utf8)
            // A fifth broken: cut short, a byte changed, one put in, one taken out.
            if round % 5 == 4, !bytes.isEmpty {
                let at = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes = Array(bytes[..<at])
                case 1: bytes[at] = UInt8.random(in: 0...255, using: &random)
                case 2: bytes.insert(pick(Array("{}[],:\"\\ 0-e.n\u{0}".utf8) + [0xC3, 0xFF]), at: at)
                default: bytes.remove(at: at)
                }
            }
            let foundation = try? APIJSON.decoder.decode(IntakeRequest.self, from: Data(bytes))
            if foundation != nil { decoded += 1 }
            guard let ours = IntakeRequestJSON.decode(bytes) else { continue }
            read += 1
            let body = String(decoding: bytes, as: UTF8.self)
            guard let foundation else {
                Issue.record("read a body JSONDecoder refuses: \(body)")
                continue
            }
            #expect(try same(ours, foundation), "\(body)")
        }
        // Most bodies JSONDecoder reads, this reads too (the rest it leaves: no test of a reader
        // that gives up on everything).
        #expect(read > decoded * 6 / 10, "read \(read) of \(decoded)")
        // The benchmark's body, a portal's and a counter's: read here, with their values.
        let web = IntakeRequestJSON.decode(
            Array(
                #"{"service":"HD-TTHC","channel":"web","applicant":{"name":"Nguyễn Văn Thử 1","phone":"0912345678","idNumber":"079190001234"},"description":"Phản ánh số 1: đèn đường hỏng","location":{"address":"12 Lê Lợi, Hải Châu"}}"#
                    .utf8))
        #expect(web?.applicant?.name == "Nguyễn Văn Thử 1" && web?.location?.address == "12 Lê Lợi, Hải Châu" && web?.channel == "web")
        let counter = IntakeRequestJSON.decode(
            Array(
                #" {"service": "1.004227", "applicant": {"name": "Đặng \"Hoa\"\n\u0110\uD83C\uDDFB", "representative": null}, "documents": [{"name": "Tờ khai", "original": true, "copies": 2}, {"component": "c1", "exemption": "shown"}], "missing": [], "location": {"lat": -0.0, "long": 105.5}} "#
                    .utf8))
        #expect(counter?.applicant?.name == "Đặng \"Hoa\"\nĐ🇻", "\(String(describing: counter?.applicant?.name))")
        #expect(
            counter?.documents == [
                Document(name: "Tờ khai", copies: 2, original: true), Document(name: "", component: "c1", exemption: .shown),
            ])
        #expect(counter?.location?.lat?.sign == .minus && counter?.channel == nil && counter?.missing == [])
        // Every field of the request and of the types in it, set: read, as Foundation reads it, and
        // none left unset — a field added to one of these types fails here until the reader reads
        // it (else a body carrying it would be read without it) and this body sets it.
        let full = Array(
            #"""
            {"service":"S","channel":"web","description":"d","priority":"priority","priorityReason":"r","outcome":"refused",
             "missing":["m"],"reasons":"x","queueNumber":"A001","severity":"s","portalCode":"P1","portalReference":"R1",
             "applicant":{"kind":"citizen","name":"n","idNumber":"i","taxCode":"t","phone":"p","email":"e","address":"a",
               "representative":{"name":"n","idNumber":"i","phone":"p","authorisation":"z"}},
             "location":{"address":"a","lat":16.05,"long":108.2},
             "documents":[{"name":"n","copies":1,"original":true,"originals":2,"component":"c","digitised":true,"pages":3,
               "reuse":"u","exemption":"shown","file":null}]}
            """#.utf8)
        let fullRead = try #require(IntakeRequestJSON.decode(full))
        #expect(try same(fullRead, APIJSON.decoder.decode(IntakeRequest.self, from: Data(full))))
        func unset(_ value: Any, _ path: String) -> [String] {
            let mirror = Mirror(reflecting: value)
            if mirror.displayStyle == .optional {
                guard let wrapped = mirror.children.first else { return [path] }
                return unset(wrapped.value, path)
            }
            if mirror.displayStyle == .collection {
                return mirror.children.first.map { unset($0.value, path + "[0]") } ?? [path + " (empty)"]
            }
            guard mirror.displayStyle == .struct, String(reflecting: type(of: value)).hasPrefix("ServiceDesk.") else { return [] }
            return mirror.children.flatMap { child in
                // A document's stored scan is set by an upload, never by a body.
                child.label == "file" ? [] : unset(child.value, "\(path).\(child.label ?? "?")")
            }
        }
        #expect(unset(fullRead, "request") == [])
        // Left to JSONDecoder: a field twice, an escaped key, a text where a list goes, a file.
        for body in [
            #"{"service":"A","service":"B"}"#, #"{"s\u0065rvice":"A"}"#, #"{"missing":"x"}"#, #"{"documents":[{"file":{}}]}"#,
            #"{"service":"A"} x"#, "", "[]",
        ] {
            #expect(IntakeRequestJSON.decode(Array(body.utf8)) == nil, "\(body)")
        }
    }

    @Test("a phone number and an identity number checked on their bytes get what the rule by characters gives")
    func phones() {
        var random = SeededGenerator(state: 47)
        let alphabet = Array("0123456789+ .-()84 0").map(String.init) + ["9", "3", "a", "\u{00A0}", "٣", "\r\n", "０"]
        var fast = 0
        for round in 0..<20_000 {
            let length = Int.random(in: 0...(round % 2 == 0 ? 14 : 20), using: &random)
            var phone = (0..<length).map { _ in alphabet.randomElement(using: &random)! }.joined()
            if round % 3 == 0 { phone = ["0", "+84", "+", "084"].randomElement(using: &random)! + phone }
            if let ascii = Identifiers.normaliseASCII(phone) {
                fast += 1
                #expect(ascii == Identifiers.normaliseByCharacters(phone), "\(phone.debugDescription)")
            }
            #expect(Identifiers.normalise(phone: phone) == Identifiers.normaliseByCharacters(phone), "\(phone.debugDescription)")
        }
        #expect(fast > 4_000)
        #expect(Identifiers.normalise(phone: "0912 345.678") == .success("+84912345678"))
        #expect(Identifiers.normalise(phone: "+44 20 7946 0958") == .success("+442079460958"))
        // The identity number: the rule as it was written by characters.
        func reference(_ idNumber: String, _ year: Int) -> String? {
            guard idNumber.count == 12, idNumber.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                return "must be the 12-digit personal identification number"
            }
            let digits = Array(idNumber)
            let province = String(digits[0..<3])
            guard Identifiers.provinceCodes.contains(province) else {
                return "starts with \(province), which is not a province code of birth registration"
            }
            let birth = 1900 + 100 * (Int(String(digits[3]))! / 2) + Int(String(digits[4...5]))!
            return birth <= year ? nil : "encodes the birth year \(birth), which is in the future"
        }
        let digits = Array("0123456789").map(String.init) + ["٣", "０", "a", " ", "\u{301}"]
        for round in 0..<20_000 {
            var number = ["079", "001", "096", "003", "7"].randomElement(using: &random)!
            number += (0..<Int.random(in: 7...11, using: &random)).map { _ in
                round % 4 == 0 ? digits.randomElement(using: &random)! : String(Int.random(in: 0...9, using: &random))
            }.joined()
            let year = Int.random(in: 1990...2030, using: &random)
            #expect(Identifiers.problem(idNumber: number, currentYear: year) == reference(number, year), "\(number.debugDescription)")
        }
        #expect(Identifiers.problem(idNumber: "079190001234", currentYear: 2026) == nil)
        #expect(Identifiers.problem(idNumber: "079330001234", currentYear: 2026) == "encodes the birth year 2030, which is in the future")
    }

}
