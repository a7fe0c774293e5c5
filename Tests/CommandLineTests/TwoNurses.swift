import Foundation
import Logging
import WardClient
import WardCrypto
import WardProtocol
import WardTestSupport

/// A served clinic with two nurses, Ann and Bo, each signed in once (new password, second
/// factor enrolled), and a staff room "Handover" that Ann made with Bo: where the `ward` tests
/// start. A privacy officer, po.pat, is enrolled the same way; a patient, pat.pia, has changed
/// her one-time password (patients need no second factor).
struct TwoNurses {
    static let password = "a long enough passphrase"
    static let usernames = ["nurse.ann", "nurse.bo"]
    let port: String
    let pem: String
    let fingerprint: String
    let ids: [String]
    let secrets: [String]
    static let privacyOfficer = "po.pat"
    let privacyOfficerSecret: String
    static let patient = "pat.pia"
    let patientID: String
    let adminSecret: String

    static func make(_ served: ServedData) async throws -> TwoNurses {
        let pem = try String(contentsOfFile: served.data + "/tls/cert.pem", encoding: .utf8)
        let url = "wss://127.0.0.1:\(served.port)/v1/ws"
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let tls = try WardConnection.pinnedTLS(certificatePEM: pem)
        let (made, adminSecret) = try await WardConnection.withConnection(url: url, tls: tls, serverName: "localhost", logger: logger) { connection in
            let adminSecret = try await firstSignIn(connection, "admin", served.oneTimePassword)
            var made: [(String, String)] = []
            for name in usernames {
                let reply = try await connection.request(
                    ClientRequest(id: 0, type: .userCreate, username: name, displayName: name == "nurse.ann" ? "Ann" : "Bo", role: "Nurse"))
                made.append((reply.userID ?? "", reply.password ?? ""))
            }
            let officer = try await connection.request(
                ClientRequest(id: 0, type: .userCreate, username: privacyOfficer, displayName: "Pat", role: "PrivacyOfficer"))
            made.append((officer.userID ?? "", officer.password ?? ""))
            let patient = try await connection.request(
                ClientRequest(id: 0, type: .userCreate, username: patient, displayName: "Pia", role: "Patient"))
            made.append((patient.userID ?? "", patient.password ?? ""))
            return (made, adminSecret)
        }
        try await WardConnection.withConnection(url: url, tls: tls, serverName: "localhost", logger: logger) { connection in
            _ = try await connection.login(username: patient, password: made[3].1)
            try await connection.changePassword(current: made[3].1, new: password)
        }
        var secrets: [String] = []
        for (index, name) in usernames.enumerated() {
            secrets.append(
                try await WardConnection.withConnection(url: url, tls: tls, serverName: "localhost", logger: logger) { connection in
                    let secret = try await firstSignIn(connection, name, made[index].1)
                    if index == 0 {
                        var create = ClientRequest(id: 0, type: .roomCreate)
                        create.kind = "staff"
                        create.name = "Handover"
                        create.members = [made[1].0]
                        _ = try await connection.request(create)
                    }
                    return secret
                })
        }
        let officerSecret = try await WardConnection.withConnection(url: url, tls: tls, serverName: "localhost", logger: logger) { connection in
            try await firstSignIn(connection, privacyOfficer, made[2].1)
        }
        return TwoNurses(
            port: served.port, pem: pem, fingerprint: try ServerCertificate.fingerprint(pem: pem), ids: made.prefix(2).map(\.0),
            secrets: secrets, privacyOfficerSecret: officerSecret, patientID: made[3].0, adminSecret: adminSecret)
    }

    /// The Admin puts `clinician` on Pia's care team with wardctl, as an operator would.
    func addToPiasCareTeam(_ clinician: String, served: ServedData, in dir: TemporaryDirectory) throws -> ProcessResult {
        try wardctl(as: "admin", secret: adminSecret, ["careteam", "add", Self.patient, clinician], served: served, in: dir)
    }

    /// wardctl as `username` (the Admin, or the privacy officer), in a config directory of their
    /// own: signs in the first time (with the next step's code; a code works once, so later
    /// commands use the saved session), then runs `arguments`.
    func wardctl(as username: String, secret: String, _ arguments: [String], served: ServedData, in dir: TemporaryDirectory) throws -> ProcessResult {
        let config = dir.path + "/" + username
        let environment = [
            "WARD_CONFIG_DIR": config, "WARD_PASSWORD": Self.password, "WARD_TOTP": Self.code(secret, at: Date().addingTimeInterval(30))
        ]
        if !FileManager.default.fileExists(atPath: config) {
            let server = ["--server", "wss://127.0.0.1:\(served.port)/v1/ws", "--cert", served.data + "/tls/cert.pem"]
            let login = try runProcess(Binaries.wardctl, ["login", "--username", username] + server, environment: environment)
            guard login.status == 0 else { return login }
        }
        return try runProcess(Binaries.wardctl, arguments, environment: environment)
    }

    /// `USER@127.0.0.1:PORT` for nurse `who` (0: Ann, 1: Bo).
    func target(_ who: Int) -> String { "\(Self.usernames[who])@127.0.0.1:\(port)" }

    /// `ward`'s target and environment for the patient.
    var patientTarget: String { "\(Self.patient)@127.0.0.1:\(port)" }

    func patientEnvironment(in dir: TemporaryDirectory) -> [String: String] {
        ["WARD_CONFIG_DIR": dir.path + "/config-patient", "WARD_PASSWORD": Self.password]
    }

    /// What `ward` reads for nurse `who`: a config directory of their own, the password, and the
    /// next step's code (the enrolment used this step's; one step of drift is allowed).
    func environment(_ who: Int, in dir: TemporaryDirectory) -> [String: String] {
        [
            "WARD_CONFIG_DIR": dir.path + "/config-\(who)", "WARD_PASSWORD": Self.password,
            "WARD_TOTP": Self.code(secrets[who], at: Date().addingTimeInterval(30))
        ]
    }

    /// Signs in for the first time (new password, second factor); returns the TOTP secret.
    static func firstSignIn(_ connection: WardConnection, _ username: String, _ oneTime: String) async throws -> String {
        _ = try await connection.login(username: username, password: oneTime)
        try await connection.changePassword(current: oneTime, new: password)
        let secret = try await connection.enrollSecondFactor().secret
        _ = try await connection.confirmSecondFactor(code: code(secret))
        return secret
    }

    static func code(_ secret: String, at time: Date = Date()) -> String {
        let totp = TOTP(secret: SecureBytes(Base32.decode(secret) ?? []))
        return totp.code(counter: totp.counter(at: Int64(time.timeIntervalSince1970)))
    }
}
