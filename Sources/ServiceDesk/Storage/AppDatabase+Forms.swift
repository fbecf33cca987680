import Crypto
import Foundation
import GRDB

/// The number a form was issued under: `12/PBS`, year 2026, by the event that issued it.
public struct DocumentNumber: Codable, Equatable, Sendable {
    public var form: FormKind
    public var year: Int
    public var number: Int
    public var eventId: Int64

    /// `12/PBS` as printed after "Số:".
    public var printed: String { "\(number)/\(form.symbol ?? "")" }
}

extension DocumentNumber {
    /// A `document_number` row (`kind, year, number, event_id`); nil for a kind this binary does not know.
    init?(row: Row) {
        guard let form = FormKind(rawValue: row["kind"]) else { return nil }
        self.init(form: form, year: row["year"], number: row["number"], eventId: row["event_id"])
    }
}

extension AppDatabase {
    /// A form of a ticket as print-ready HTML (Circular 03/2025/TT-VPCP, Phụ lục I): filled from
    /// the ticket, its applicant, its service, the centre and the event that issued the form,
    /// with the number stored with that event, so a reprint is the same paper. 404 when the
    /// ticket has no such form (no supplement request, no apology, …).
    public func form(_ form: FormKind, of code: String, viewer: Staff) async throws -> String {
        let key = try await signingKey()
        return try await read { db in
            let ticket = try Self.visibleTicket(db, code, viewer: viewer)
            let (centre, time) = try self.workingTime(db)
            let clock = time.clock
            let service = try? Self.service(db, ticket.service)
            let applicant = try db.fetchRow(sql: "SELECT * FROM applicant WHERE id = ?", arguments: [ticket.applicantId]).map(
                Applicant.init(row:))
            let issued = try Self.issuingEvent(db, form, ticket: ticket)
            if form != .receipt && form != .controlSheet && issued == nil {
                throw DeskError.notFound(entity: "form \(form.rawValue) of ticket", id: code)
            }
            if form == .receipt && ticket.countingStartAt == nil && issued == nil {
                throw DeskError.notFound(entity: "form 01 (the dossier was not accepted) of ticket", id: code)
            }
            let centreName = centre.name
            var values: [String: Any] = [
                "title": form.title, "paper": form.paper, "code": ticket.code,
                "centreName": centreName.uppercased(with: Locale(identifier: "vi_VN")), "centreTitle": centreName,
                "serviceName": service?.name ?? ticket.service,
                "resultPlace": "Bộ phận Tiếp nhận và Trả kết quả, \(centreName)",
                "receivedMoment": FormText.moment(ticket.receivedAt, clock),
                "receivedDay": FormText.day(clock.local(ticket.receivedAt).date),
            ]
            if let body = centre.issuingBody { values["issuingBody"] = body }
            if let phone = centre.contactPhone { values["contactPhone"] = phone }
            // A public service unit is not the legal one-stop desk: it receives for one (Decree
            // 118/2025 art. 7) and its forms say so (docs/modes.md).
            if centre.mode == .publicServiceUnit, let desk = centre.onBehalfOf {
                values["onBehalfOf"] = desk
                values["onBehalfOfUpper"] = desk.uppercased(with: Locale(identifier: "vi_VN"))
            }
            let issuedAt = issued?.at ?? ticket.receivedAt
            values["dateLine"] = "\(centre.place ?? "……………"), \(FormText.day(clock.local(issuedAt).date))"
            if let number = issued?.number {
                values["number"] = number.printed
            } else if let symbol = form.symbol {
                values["number"] = "……/\(symbol)"
            }
            if let applicant { values["applicant"] = Self.formApplicant(applicant) }
            if !ticket.description.isEmpty { values["description"] = ticket.description }
            if let limit = service?.timeLimit { values["timeLimit"] = FormText.timeLimit(limit) }
            // The receipt keeps the appointment given at reception; the control sheet shows the one in force.
            if let due = form == .controlSheet ? (ticket.revisedDueAt ?? ticket.dueAt) : ticket.dueAt {
                values["dueMoment"] = FormText.moment(due, clock)
            }
            values["documents"] = ticket.documents.map { document -> [String: Any] in
                let counts = [(document.originals, "Bản chính"), (document.copies, "Bản sao")].filter { $0.0 > 0 }
                return ["name": document.name, "counts": counts.map { "\($0.1): \(FormText.two($0.0)) bản" }.joined(separator: "; ")]
            }
            values["hasDocuments"] = !ticket.documents.isEmpty
            let officerName = try Self.staffName(db, issued?.actor ?? ticket.createdBy)
            values["officer"] = officerName
            let texts = issued?.texts ?? [:]
            switch form {
            case .receipt:
                values["charges"] = ticket.charges.enumerated().map { index, charge -> [String: Any] in
                    [
                        "label": charge.label ?? FormText.chargeKind(charge.kind), "amount": FormText.money(charge.amount),
                        "destination": FormText.destination(charge), "last": index == ticket.charges.count - 1,
                    ]
                }
                values["hasCharges"] = !ticket.charges.isEmpty
                if let place = try Self.bookPlace(db, ticket: ticket.code) {
                    values["bookVolume"] = FormText.two(place.volume)
                    values["bookEntry"] = FormText.two(place.entry)
                    if !place.field.isEmpty { values["bookField"] = place.field }
                }
            case .controlSheet:
                break
            case .supplementRequest:
                values["missing"] = Self.missingItems(texts["missing"])
                values["reason"] = texts["override"] ?? "hồ sơ chưa đầy đủ, chưa hợp lệ theo quy định"
            case .refusal:
                values["reasons"] = texts["reasons"] ?? texts["note"] ?? ticket.outcomeNote ?? ""
            case .apology:
                values["reason"] = texts["reason"] ?? ""
                if let previous = issued?.detail["previousDueAt"] ?? ticket.dueAt.map(clock.describe),
                    let instant = clock.instant(parsing: previous)
                {
                    values["originalDueMoment"] = FormText.moment(instant, clock)
                }
                if let revised = ticket.revisedDueAt { values["revisedDueMoment"] = FormText.moment(revised, clock) }
            case .stopNotice:
                if let note = texts["note"] { values["note"] = note }
                values["stoppedMoment"] = FormText.moment(issuedAt, clock)
            }
            if form == .controlSheet {
                let names = try Self.departmentNames(db)
                let steps = try Row.fetchAll(db, sql: "SELECT * FROM ticket_step WHERE ticket = ? ORDER BY visit", arguments: [ticket.code])
                    .map(StepVisit.init(row:))
                values["steps"] = steps.map { step -> [String: Any] in
                    [
                        "visit": step.visit, "department": names[step.department] ?? step.department,
                        "entered": FormText.shortMoment(step.enteredAt, clock),
                        "due": step.dueAt.map { FormText.shortMoment($0, clock) } ?? "",
                        "left": step.leftAt.map { FormText.shortMoment($0, clock) } ?? "", "grade": step.grade.map(FormText.grade) ?? "",
                        "task": service?.route.indices.contains(step.position ?? -1) == true
                            ? (service?.route[step.position!].task ?? "") : "",
                    ]
                }
                values["departments"] = (service?.route ?? []).map { names[$0.department] ?? $0.department }.joined(separator: "; ")
            }
            // The QR seal: what this paper promises, signed with the centre's key.
            let signer = try Curve25519.Signing.PrivateKey(rawRepresentation: key)
            let seal = try Self.seal(db, form, of: ticket, clock: clock).sealed(with: signer)
            if let code = QRCode(seal) {
                values["seal"] = [
                    "svg": code.svg(millimetres: 22, title: "Mã QR xác thực"), "keyId": FormSeal.keyId(of: signer.publicKey), "text": seal,
                ]
            }
            // The slips carry it beside their signatures; the control sheet below its table.
            values["sealBelow"] = form == .controlSheet
            return try FormRenderer.render(form, values)
        }
    }

    /// The document numbers a ticket's events issued, oldest first.
    public func documentNumbers(of code: String, viewer: Staff) async throws -> [DocumentNumber] {
        try await read { db in
            _ = try Self.visibleTicket(db, code, viewer: viewer)
            return try Row.fetchAll(
                db, sql: "SELECT kind, year, number, event_id FROM document_number WHERE ticket = ? ORDER BY event_id", arguments: [code]
            ).compactMap(DocumentNumber.init(row:))
        }
    }

    struct IssuingEvent {
        var number: DocumentNumber?
        var at: Date
        var actor: String
        var detail: [String: String]
        var texts: [String: String]
    }

    /// The latest event that issued `form` for the ticket: through its stored number, or for a
    /// ticket received before numbers existed, the latest event of the issuing action.
    static func issuingEvent(_ db: any SQLSession, _ form: FormKind, ticket: Ticket) throws -> IssuingEvent? {
        var number: DocumentNumber?
        var eventRow: Row?
        if let row = try db.fetchRow(
            sql: "SELECT kind, year, number, event_id FROM document_number WHERE ticket = ? AND kind = ? ORDER BY event_id DESC LIMIT 1",
            arguments: [ticket.code, form.rawValue])
        {
            number = DocumentNumber(form: form, year: row["year"], number: row["number"], eventId: row["event_id"])
            eventRow = try db.fetchRow(sql: "SELECT id, at, actor, action, detail FROM event WHERE id = ?", arguments: [number!.eventId])
        } else {
            let actions = [
                "ticket.intake", "ticket.supplement-received", "ticket.request-supplement", "ticket.reject", "ticket.apologise",
                "ticket.withdraw",
            ]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT id, at, actor, action, detail FROM event WHERE entity = 'ticket' AND entity_id = ?
                    AND action IN (\(actions.map { "'\($0)'" }.joined(separator: ","))) ORDER BY id DESC
                    """,
                arguments: [ticket.code])
            {
                let detail = (try? JSONDecoder().decode([String: String].self, from: Data((row["detail"] as String).utf8))) ?? [:]
                if FormKind.issued(by: row["action"], outcome: detail["outcome"], kind: detail["kind"], clock: detail["clock"]) == form {
                    eventRow = row
                    break
                }
            }
        }
        guard let eventRow else { return nil }
        let id: Int64 = eventRow["id"]
        let detail = (try? JSONDecoder().decode([String: String].self, from: Data((eventRow["detail"] as String).utf8))) ?? [:]
        let texts = try EventLog.notes(db, eventIds: [id])[id] ?? [:]
        // Events before notes were kept apart hold their free text in the detail.
        var merged = texts
        for key in EventLog.noteKeys where merged[key] == nil { merged[key] = detail[key] }
        return IssuingEvent(
            number: number, at: Date(storedSeconds: eventRow["at"]), actor: eventRow["actor"], detail: detail, texts: merged)
    }

    /// The items of a supplement request, as the event keeps them (`a; b; c`).
    static func missingItems(_ text: String?) -> [String] {
        (text ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func formApplicant(_ applicant: Applicant) -> [String: Any] {
        var values: [String: Any] = ["name": applicant.name]
        if let identifier = applicant.idNumber ?? applicant.taxCode { values["identifier"] = identifier }
        if let address = applicant.address { values["address"] = address }
        if let phone = applicant.phone { values["phone"] = FormText.phone(phone) }
        if let email = applicant.email { values["email"] = email }
        if let representative = applicant.representative {
            // A missing value is `false`, not absent: Mustache would otherwise print the applicant's own.
            var person: [String: Any] = ["name": representative.name]
            person["idNumber"] = representative.idNumber ?? false
            person["phone"] = representative.phone.map(FormText.phone) ?? false
            person["authorisation"] = representative.authorisation ?? false
            values["representative"] = person
        }
        return values
    }

    static func staffName(_ db: any SQLSession, _ username: String) throws -> String {
        try String.fetchOne(db, sql: "SELECT name FROM staff WHERE username = ?", arguments: [username]) ?? username
    }
}
