import ArgumentParser
import Foundation
import ServiceDesk

/// Payments of a ticket's charges (docs/payments.md).
extension TicketCommand {
    struct Pay: TicketActionCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Record a payment of a charge line: cash, transfer or postal with its receipt number, online with the gateway's reference.")
        static let action = TicketAction.pay
        @OptionGroup var options: ActionOptions
        @Option(help: "The charge line (0 first; see ticket payments).") var line: Int
        @Option(help: "VND paid.") var amount: Int
        @Option(help: "cash, transfer, online or postal.") var method: String
        @Option(help: "The receipt (biên lai) number.") var receipt: String?
        @Option(help: "The payment gateway's transaction id (online).") var reference: String?
        func request() -> ActionRequest {
            ActionRequest(line: line, amount: amount, method: method, receiptNumber: receipt, reference: reference)
        }
    }

    struct Exempt: TicketActionCommand {
        static let configuration = CommandConfiguration(abstract: "Exempt what a charge line still owes, with its grounds.")
        static let action = TicketAction.exempt
        @OptionGroup var options: ActionOptions
        @Option(help: "The charge line (0 first).") var line: Int
        @Option(help: "The grounds: the legal text, the citizen's case.") var reason: String
        func request() -> ActionRequest { ActionRequest(note: reason, line: line) }
    }

    struct Payments: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A ticket's charges: billed, paid, exempted, outstanding, and each payment.")
        @OptionGroup var global: GlobalOptions
        @Argument var code: String

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("GET", "api/v1/tickets/\(Path.escape(code))/payments")
            if global.json { return Output.json(data) }
            let ledger = try client.decode(PaymentLedger.self, from: data)
            Output.table(
                ["line", "charge", "billed", "paid", "exempted", "outstanding"],
                ledger.lines.map {
                    [
                        String($0.line), $0.charge.label ?? $0.charge.kind.rawValue, String($0.charge.amount), String($0.paid),
                        String($0.exempted), String($0.outstanding),
                    ]
                })
            for p in ledger.payments {
                let how =
                    p.kind == .exempt ? "exempt: \(p.reason ?? "")" : "\(p.method?.rawValue ?? "-") \(p.receiptNumber ?? p.reference ?? "")"
                print("\(TicketCommand.format(p.at))  line \(p.line)  \(p.amount) VND  \(how)  by \(p.collectedBy)")
            }
            print("outstanding: \(ledger.outstanding) VND of \(ledger.billed)")
        }
    }
}
