import ArgumentParser
import Foundation
import WardClient
import WardCommandLine
import WardProtocol

/// `wardctl approvals`: what waits for a second person (another Admin or a privacy officer;
/// a second privacy officer for erasures), and deciding it.
struct ApprovalsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approvals",
        abstract: "List what waits for a second person's approval, or approve or reject one.",
        discussion: """
            Granting Doctor, PrivacyOfficer, Admin or Auditor, resetting a clinician's password or \
            second factor, and erasing someone who did not ask wait for a second person. Each line: \
            number, what waits, the account, who asked and when. Approving runs the request and prints \
            what it gives (a one-time password, an enrolment code, an erasure receipt's summary). \
            Nobody approves their own request.
            """
    )
    @Argument(help: "Approve or reject (absent: list what waits).") var verdict: Verdict?
    @Argument(help: "The approval's number.") var id: Int?

    func validate() throws {
        guard (verdict == nil) == (id == nil) else { throw ValidationError("give approve or reject and the number, or neither") }
    }

    enum Verdict: String, CaseIterable, ExpressibleByArgument {
        case approve, reject
    }

    /// The line the commands that start a request print when it waits.
    static func waiting(_ approval: ApprovalInfo) -> String {
        "waits for a second person's approval: wardctl approvals approve \(approval.approvalID) (another Admin or a privacy officer)"
    }

    func run() async throws {
        guard let verdict, let id else {
            let waiting = try await withSession { try await $0.request(ApprovalList()).approvals }
            if waiting.isEmpty { print("nothing waits for approval") }
            waiting.forEach(Self.show)
            return
        }
        let reply = try await withSession { connection in
            try await connection.request(ApprovalDecide(approvalID: id, verdict: verdict == .approve ? "approved" : "rejected"))
        }
        reply.approvals.forEach(Self.show)
        if let password = reply.password { print("one-time password (shown once; to be changed at first sign-in): \(password)") }
        if let code = reply.enrolmentCode { print("enrolment code (shown once, valid 7 days; give it to them in person): \(code)") }
        if let receipt = reply.erasureReceipt {
            print("erased \(receipt.subjectID): \(receipt.items.count) kinds of data; decision audit entry \(receipt.auditSeq)")
        }
    }

    private static func show(_ approval: ApprovalInfo) {
        print(
            "\(approval.approvalID)\t\(approval.action)\t\(approval.subjectID)\tasked by \(approval.requestedBy) at "
                + "\(utc(approval.requestedAt))\t\(approval.status)"
        )
    }
}
