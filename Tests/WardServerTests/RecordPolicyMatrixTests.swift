import Foundation
import Testing
import WardClient
import WardProtocol
import WardServer
import WardTestSupport

/// The issue's bar: for every role and relationship, access to records through the real server is
/// exactly what policies/tests/records.json says. The clinic of policies/tests/clinic-entities.json
/// is built on a served data directory (its users with their roles, care teams and disabled
/// accounts); each case of records.json whose action the server carries out is sent as the
/// request that asks for it, and the server's answer must be the case's decision.
@Suite("Records against the policy tests", .serialized)
struct RecordPolicyMatrixTests {
    static let policyTests = Repository.root.appendingPathComponent("policies/tests")

    struct Case: Sendable {
        var name: String
        var principal: String
        var action: String
        var patient: String
        var breakGlass: Bool
        var reasonLength: Int
        var withhold: Bool
        var secondFactor: Bool
        var allowed: Bool
    }

    /// `Type::"id"` → id.
    static func id(_ uid: String) -> String {
        uid.split(separator: "\"").dropFirst().first.map(String.init) ?? uid
    }

    static func json(_ file: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: policyTests.appendingPathComponent(file)))
    }

    static func roles(_ people: [(String, String)]) -> [String: String] { Dictionary(uniqueKeysWithValues: people) }

    /// The actions the server performs for a record request (`record.share` has no request yet).
    static let performed: Set<String> = ["record.read", "record.read.withheld", "record.update", "record.note", "record.amend"]

    @Test func accessIsExactlyWhatThePolicyTestsSay() async throws {
        let suite = try #require(try Self.json("records.json") as? [String: Any])
        let entitiesFile = try #require(suite["entities"] as? String)
        let entities = try #require(try Self.json(entitiesFile) as? [[String: Any]])
        // Accounts: every user with one role; care teams from their CareTeam parents.
        var people: [(String, String)] = []
        var careTeams: [(patient: String, clinician: String)] = []
        var inactive: Set<String> = []
        for entity in entities {
            guard let uid = entity["uid"] as? [String: String], uid["type"] == "User", let name = uid["id"] else { continue }
            let parents = (entity["parents"] as? [[String: String]]) ?? []
            let roles = parents.filter { $0["type"] == "Role" }.compactMap { $0["id"] }
            guard roles.count == 1 else { continue } // accounts have one role
            people.append((name, roles[0]))
            careTeams += parents.filter { $0["type"] == "CareTeam" }.compactMap { $0["id"] }.map { ($0, name) }
            if (entity["attrs"] as? [String: Any])?["active"] as? Bool == false { inactive.insert(name) }
        }
        let cases = try #require(suite["cases"] as? [[String: Any]]).map { raw in
            let context = raw["context"] as? [String: Any] ?? [:]
            return Case(
                name: raw["name"] as? String ?? "", principal: Self.id(raw["principal"] as? String ?? ""),
                action: Self.id(raw["action"] as? String ?? ""), patient: Self.id(raw["resource"] as? String ?? ""),
                breakGlass: context["breakGlass"] as? Bool == true, reasonLength: context["breakGlassReasonLength"] as? Int ?? 0,
                withhold: context["withhold"] as? Bool == true, secondFactor: context["secondFactor"] as? Bool != false,
                allowed: raw["decision"] as? String == "Allow")
        }

        let server = try await ServerHarness.start(connectionLimits: .unthrottled)
        defer { server.cleanup() }
        let (admin, members) = try await ConversationTests.accountsAndAdmin(server, people)
        var member = Dictionary(uniqueKeysWithValues: members.map { ($0.username, $0) })
        // Cases of staff without a second factor run as a twin: the same role and care teams, an
        // account signed in with its password alone (every account above has a second factor).
        let twins = Set(cases.filter { !$0.secondFactor && Self.roles(people)[$0.principal] != "Patient" }.map(\.principal))
        for name in twins.sorted() {
            let role = try #require(Self.roles(people)[name])
            let made = try await ErasureTests.signedIn(server, admin) { x in
                try await x.request(ClientRequest(id: 0, type: .userCreate, username: name + ".nofactor", displayName: name, role: role))
            }
            var oneTime = made.password ?? ""
            // A Doctor's account waits for a second person: the privacy officer approves it.
            if let approvalID = made.approvals?.first?.approvalID {
                oneTime = try await ErasureTests.signedIn(server, try #require(member["po-pia"])) { (p: WardConnection) async throws -> String in
                    var approve = ClientRequest(id: 0, type: .approvalDecide)
                    approve.approvalID = approvalID
                    approve.verdict = "approved"
                    return try await p.request(approve).password ?? ""
                }
            }
            let twinPassword = oneTime
            let (token, twinID) = try await server.connect { c -> (String, String) in
                let session = try await c.login(username: name + ".nofactor", password: twinPassword)
                try await c.changePassword(current: twinPassword, new: ConversationTests.password)
                return (session.token ?? "", session.userID)
            }
            member[name + ".nofactor"] = ConversationTests.Member(userID: twinID, username: name + ".nofactor", token: token)
            careTeams += careTeams.filter { $0.clinician == name }.map { ($0.patient, name + ".nofactor") }
        }
        let ids = member.mapValues(\.userID)
        let roles = Self.roles(people)
        let links = careTeams.compactMap { link in ids[link.patient].flatMap { patient in ids[link.clinician].map { (patient, $0) } } }
        #expect(links.count == careTeams.count)
        try await ErasureTests.signedIn(server, admin) { x in
            for (patient, clinician) in links {
                try await x.request(ClientRequest(id: 0, type: .careTeamAdd, patientID: patient, clinicianID: clinician))
            }
        }
        // Every patient's record holds an entry withheld from the patient (written by a doctor of
        // their care team), so that record.read.withheld has something to show or leave out.
        var entries: [String: String] = [:]
        for (patient, clinician) in careTeams where roles[clinician] == "Doctor" && !inactive.contains(clinician) && entries[patient] == nil {
            let patientID = try #require(ids[patient])
            entries[patient] = try await ErasureTests.signedIn(server, try #require(member[clinician])) { c in
                var write = ClientRequest(id: 0, type: .recordWrite, patientID: patientID)
                write.section = "notes"
                write.resource = #"{"resourceType": "DocumentReference", "description": "session notes"}"#
                write.withhold = "psychotherapy-notes"
                return try await c.request(write).recordEntries?.first?.entryID
            }
        }
        let disabled = inactive.compactMap { ids[$0] }
        try await ErasureTests.signedIn(server, admin) { x in
            for id in disabled { try await x.request(ClientRequest(id: 0, type: .userDisable, userID: id)) }
        }

        /// What the server answered: allowed or not.
        func perform(_ test: Case) async throws -> Bool {
            let person = try #require(member[test.principal])
            let patientID = try #require(ids[test.patient])
            let entry = entries[test.patient]
            return try await server.connect { c -> Bool in
                // A disabled account's session ended with it.
                guard (try? await c.request(ClientRequest(id: 0, type: .resume, token: person.token))) != nil else { return false }
                if test.breakGlass {
                    var open = ClientRequest(id: 0, type: .breakGlassOpen, patientID: patientID)
                    // A reason of the case's length (the server refuses one under 20 characters before deciding).
                    open.reason = String(repeating: "r", count: max(test.reasonLength, 1))
                    guard try await c.send(open).code == nil else { return false }
                }
                let withhold = test.withhold ? "endangerment" : nil
                var request = ClientRequest(id: 0, type: .recordRead, patientID: patientID)
                switch test.action {
                case "record.update", "record.note":
                    request.type = "record.write"
                    request.section = test.action == "record.note" ? "notes" : "allergies"
                    request.resource =
                        test.action == "record.note"
                        ? #"{"resourceType": "DocumentReference", "description": "seen"}"#
                        : #"{"resourceType": "AllergyIntolerance", "code": {"text": "latex"}}"#
                    request.withhold = withhold
                case "record.amend":
                    request.type = "record.amend"
                    request.entryID = entry
                    request.text = "Please correct this"
                default: break
                }
                let reply = try await c.send(request)
                if let code = reply.code {
                    #expect(code == .denied, "\(test.name): refused with \(code), not by policy")
                    return false
                }
                // Reading the withheld part is allowed when nothing was left out.
                return test.action == "record.read.withheld"
                    ? reply.withheld == nil && reply.recordEntries?.contains { $0.entryID == entry } == true : true
            }
        }

        // Emergency accesses last an hour: the cases that declare one run last.
        let runnable = cases.filter { Self.performed.contains($0.action) }
            .map { test in
                var test = test
                if !test.secondFactor && roles[test.principal] != "Patient" { test.principal += ".nofactor" }
                return test
            }
        var checked = 0
        for test in runnable.filter({ !$0.breakGlass }) + runnable.filter(\.breakGlass) {
            guard member[test.principal] != nil else { continue }
            #expect(try await perform(test) == test.allowed, "\(test.name): the policy tests say \(test.allowed ? "Allow" : "Deny")")
            checked += 1
        }
        // Every case of an action the server performs is checked, but those of principals with
        // several roles (an account has one).
        #expect(checked == runnable.count && checked >= 28, "checked \(checked) of \(cases.count) cases")
    }
}
