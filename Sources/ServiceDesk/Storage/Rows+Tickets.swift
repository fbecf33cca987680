import Foundation
import GRDB

extension Ticket {
    init(row: Row) {
        func date(_ column: String) -> Date? { (row[column] as Int64?).map(Date.init(storedSeconds:)) }
        let decoder = JSONDecoder()
        var location: Location?
        if row["location_address"] != nil || row["location_lat"] != nil {
            location = Location(address: row["location_address"], lat: row["location_lat"], long: row["location_long"])
        }
        self.init(
            code: row["code"], service: row["service"], serviceVersion: row["service_version"],
            channel: Channel(rawValue: row["channel"]) ?? .counter, applicantId: row["applicant"], description: row["description"],
            location: location,
            documents: (try? APIJSON.decoder.decode([Document].self, from: Data((row["documents"] as String).utf8))) ?? [],
            priority: Priority(rawValue: row["priority"]) ?? .normal, priorityReason: row["priority_reason"],
            charges: (try? decoder.decode([Charge].self, from: Data((row["charges"] as String).utf8))) ?? [],
            state: State(rawValue: row["state"]) ?? .queued,
            awaitingReason: (row["awaiting_reason"] as String?).flatMap(AwaitingReason.init),
            resumeState: (row["resume_state"] as String?).flatMap(State.init), step: row["step"], department: row["department"],
            holder: row["holder"], receivedAt: Date(storedSeconds: row["received_at"]), countingStartAt: date("counting_start"),
            dueAt: date("due_at"), revisedDueAt: date("revised_due_at"), pausedAt: date("paused_at"), resolvedAt: date("resolved_at"),
            returnedAt: date("returned_at"), closedAt: date("closed_at"), outcome: (row["outcome"] as String?).flatMap(Outcome.init),
            outcomeNote: row["outcome_note"], earlyReturn: row["early_return"], rating: (row["rating"] as String?).flatMap(Rating.init),
            ratingComment: row["rating_comment"], apologisedAt: date("apologised_at"),
            decision: (row["decision"] as String?).flatMap(Outcome.init), supplementRequests: row["supplement_requests"],
            queueNumber: row["queue_number"], createdBy: row["created_by"], version: row["version"])
        if let code = row["severity"] as String? {
            severity = Severity(
                code: code, timeLimit: (row["severity_limit"] as String?).flatMap(TimeLimit.init),
                roundTheClock: row["round_the_clock"] ?? false)
        }
        nature = (row["nature"] as String?).flatMap(Nature.init)
        reopened = row["reopened"] ?? 0
        mergedInto = row["merged_into"]
        portalCode = row["portal_code"]
        portalReference = row["portal_reference"]
        resultSignature = row["result_signature"]
    }
}

extension Applicant {
    init(row: Row) {
        self.init(
            kind: Kind(rawValue: row["kind"]) ?? .person, name: row["name"], idNumber: row["id_number"], taxCode: row["tax_code"],
            phone: row["phone"], email: row["email"], address: row["address"],
            representative: (row["representative"] as String?).flatMap {
                try? JSONDecoder().decode(Representative.self, from: Data($0.utf8))
            })
    }
}

extension StepVisit {
    init(row: Row) {
        visit = row["visit"]
        position = row["position"]
        department = row["department"]
        allowance = (row["allowance"] as String?).flatMap(TimeLimit.init)
        enteredAt = Date(storedSeconds: row["entered_at"])
        dueAt = (row["due_at"] as Int64?).map(Date.init(storedSeconds:))
        claimedAt = (row["claimed_at"] as Int64?).map(Date.init(storedSeconds:))
        leftAt = (row["left_at"] as Int64?).map(Date.init(storedSeconds:))
        grade = (row["grade"] as String?).flatMap(Timeliness.init)
    }
}

/// JSON as the API writes it; the library uses it for answers it stores (idempotency).
public enum APIJSON {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// A value as JSON text for a column (a ticket's documents and charges): `encode`'s bytes
    /// (`DirectJSON`, Foundation's for what it does not know) — inside the single writer.
    static func text(_ value: some Encodable) -> String {
        String(decoding: (try? encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }
}

extension Forward {
    init(row: Row) {
        func date(_ column: String) -> Date? { (row[column] as Int64?).map(Date.init(storedSeconds:)) }
        self.init(
            body: row["body"], lead: row["lead"], fromDepartment: row["from_department"], sentAt: Date(storedSeconds: row["sent_at"]),
            sentBy: row["sent_by"], grade: (row["grade"] as String?).flatMap(Timeliness.init),
            acceptDueAt: Date(storedSeconds: row["accept_due"]))
        acceptedAt = date("accepted_at")
        acceptedBy = row["accepted_by"]
        acceptanceGrade = (row["acceptance_grade"] as String?).flatMap(Timeliness.init)
        sentBackAt = date("sent_back_at")
        sentBackBy = row["sent_back_by"]
        sentBackReason = row["sent_back_reason"]
    }
}

extension SeverityClass {
    init(row: Row) {
        self.init(
            code: row["code"], name: row["name"], timeLimit: (row["time_limit"] as String?).flatMap(TimeLimit.init),
            roundTheClock: row["round_the_clock"], position: row["position"])
    }
}
