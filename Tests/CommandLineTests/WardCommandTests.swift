import Foundation
import Logging
import Testing
import WardClient
import WardCrypto
import WardProtocol
import WardTestSupport
#if canImport(Glibc)
    import Glibc
#endif

/// `ward rooms|send|read` against a real ward-server process: trust on first use, sign-in with a
/// second factor once per session, device keys made and kept sealed, messages that only the
/// members' devices can read.
@Suite("ward without a screen")
struct WardCommandTests {
    @Test func sendAndReadBetweenTwoPeople() async throws {
        try await ExclusiveSubprocesses.shared.run { try await self.sendAndReadBetweenTwoPeopleAlone() }
    }

    /// Run alone among the tests that keep child processes running (see ExclusiveSubprocesses).
    func sendAndReadBetweenTwoPeopleAlone() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let served = try ServedData.start(in: dir)
        defer { served.stop() }
        let clinic = try await TwoNurses.make(served)
        let fingerprint = clinic.fingerprint
        let ann = clinic.target(0), bo = clinic.target(1)
        func environment(_ who: Int) -> [String: String] { clinic.environment(who, in: dir) }
        // First contact: no person to confirm, no fingerprint given: refused, with the fingerprint shown.
        let refused = try runProcess(Binaries.ward, ["rooms", ann], environment: environment(0))
        #expect(refused.status == 2 && refused.stderr.contains(fingerprint) && refused.stderr.contains("--trust-fingerprint"), "\(refused.stderr)")
        let wrong = try runProcess(Binaries.ward, ["rooms", ann, "--trust-fingerprint", "SHA256:00"], environment: environment(0))
        #expect(wrong.status == 2 && wrong.stderr.contains("does not match"))

        // A code is accepted once, and the enrolment used this step's: ward signs in with the next
        // step's code (one step of drift is allowed); later runs resume the saved session.
        let rooms = try runProcess(Binaries.ward, ["rooms", ann, "--trust-fingerprint", fingerprint], environment: environment(0))
        #expect(rooms.status == 0 && rooms.stdout.contains("Handover"), "\(rooms.stdout)\(rooms.stderr)")
        // Bo's device exists before Ann writes: sender keys go to the devices there are then.
        let boRooms = try runProcess(Binaries.ward, ["rooms", bo, "--trust-fingerprint", fingerprint, "--json"], environment: environment(1))
        #expect(boRooms.status == 0 && boRooms.stdout.contains("\"name\":\"Handover\""), "\(boRooms.stderr)")
        let text = "bed 4 needs a review 🩺 — é"
        let sent = try runProcess(Binaries.ward, ["send", ann, "Handover", text], environment: environment(0))
        #expect(sent.status == 0 && sent.stdout.contains("#1"), "\(sent.stderr)")
        let emote = try runProcess(Binaries.ward, ["send", ann, "Handover", "waves", "--me"], environment: environment(0))
        #expect(emote.status == 0, "\(emote.stderr)")

        let read = try runProcess(Binaries.ward, ["read", bo, "Handover", "--json"], environment: environment(1))
        #expect(read.status == 0, "\(read.stderr)")
        let lines = read.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
        #expect(lines.map { $0["text"] } == [text, "waves"] && lines.first?["sender"] == "Ann" && lines.last?["format"] == "emote", "\(read.stdout)")
        // Ann reads her own messages back on her device; --since skips what was seen.
        let own = try runProcess(Binaries.ward, ["read", ann, "Handover", "--since", "1"], environment: environment(0))
        #expect(own.status == 0 && own.stdout.contains("* Me waves") && !own.stdout.contains("bed 4"), "\(own.stdout)\(own.stderr)")

        // Bo exports his data: the messages decrypted on his device, and who accessed his data.
        let exportPath = dir.path + "/bo-export.json"
        let exported = try runProcess(Binaries.ward, ["export", bo, "--out", exportPath], environment: environment(1))
        #expect(exported.status == 0, "\(exported.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: exportPath))) as? [String: Any] ?? [:]
        let readable = (document["decrypted"] as? [String: [String: String]])?.values.map { $0["text"] ?? "" } ?? []
        #expect(Set(readable) == [text, "waves"] && (document["messages"] as? [Any])?.count == 2, "\(exported.stdout)")
        #expect(try FileManager.default.attributesOfItem(atPath: exportPath)[.posixPermissions] as? Int == 0o600)

        // Files are private; the device key is sealed.
        for file in ["known_servers.json", "ward-sessions.json", "device-nurse.ann@127.0.0.1_\(served.port).key"] {
            let mode = try FileManager.default.attributesOfItem(atPath: dir.path + "/config-0/" + file)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file)")
        }
        // Errors are clear: an unknown room, a wrong password for the device key.
        let missing = try runProcess(Binaries.ward, ["send", ann, "No such room", "x"], environment: environment(0))
        #expect(missing.status == 2 && missing.stderr.contains("no room called"))
        var wrongPassword = environment(0)
        wrongPassword["WARD_PASSWORD"] = "not the password at all"
        let locked = try runProcess(Binaries.ward, ["rooms", ann], environment: wrongPassword)
        #expect(locked.status == 2 && locked.stderr.contains("passphrase"), "\(locked.stderr)")
        let badTarget = try runProcess(Binaries.ward, ["rooms", "no-at-sign"], environment: environment(0))
        #expect(badTarget.status == 2 && badTarget.stderr.contains("USER@HOST"))

        // A server that presents another certificate is refused with a warning.
        let other = try TemporaryDirectory()
        defer { other.cleanup() }
        _ = try runProcess(Binaries.wardServer, ["init", "--data", other.path + "/data", "--argon2-memory", "1024"])
        let otherPEM = try String(contentsOfFile: other.path + "/data/tls/cert.pem", encoding: .utf8)
        let knownPath = dir.path + "/config-1/known_servers.json"
        var known =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: knownPath))) as? [String: [String: [String: String]]] ?? [:]
        known["servers"]?["127.0.0.1:\(served.port)"] = ["fingerprint": try ServerCertificate.fingerprint(pem: otherPEM), "certificatePEM": otherPEM]
        try JSONSerialization.data(withJSONObject: known).write(to: URL(fileURLWithPath: knownPath))
        let changed = try runProcess(Binaries.ward, ["rooms", bo], environment: environment(1))
        #expect(changed.status == 2 && changed.stderr.contains("has changed"), "\(changed.stderr)")
    }
}
