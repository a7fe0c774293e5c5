import Testing
import WardAudit
import WardCrypto

@Suite("Signed notes, keys and checkpoints")
struct NoteTests {
    @Test func checkpointSignsAndVerifies() throws {
        let signer = Fixtures.signer()
        let checkpoint = SignedCheckpoint(signing: Checkpoint(origin: signer.name, size: 42, root: TreeHash.sha256([1])), with: signer)
        let parsed = try SignedCheckpoint(parsing: checkpoint.text, verifier: signer.verifier)
        #expect(parsed == checkpoint)
        #expect(checkpoint.text.hasPrefix("ward.test/audit\n42\n"))
        #expect(checkpoint.text.contains("\n\n\u{2014} ward.test/audit "))
    }

    @Test func keyTextsRoundTrip() throws {
        let signer = Fixtures.signer()
        let verifier = try NoteVerifier(vkey: signer.verifier.vkey + "\n")
        #expect(verifier == signer.verifier)
        let restored = try NoteSigner(privateKeyText: signer.privateKeyText)
        #expect(restored.verifier == signer.verifier)
        #expect(signer.privateKeyText.hasPrefix("PRIVATE+KEY+ward.test/audit+"))
        #expect(throws: NoteError.self) { try NoteVerifier(vkey: "name+00000000+AQ==") }
        #expect(throws: NoteError.self) { try NoteVerifier(vkey: "garbage") }
        var wrongID = signer.verifier.vkey
        wrongID = wrongID.replacingFirst("+", with: "+0") // shifts the id field
        #expect(throws: NoteError.self) { try NoteVerifier(vkey: wrongID) }
    }

    @Test func everyByteOfACheckpointMatters() throws {
        let signer = Fixtures.signer()
        let text = Array(SignedCheckpoint(signing: Checkpoint(origin: signer.name, size: 7, root: TreeHash.sha256([2])), with: signer).text.utf8)
        for i in text.indices {
            for flip: UInt8 in [0x01, 0x20, 0x80] {
                var changed = text
                changed[i] ^= flip
                let string = String(decoding: changed, as: UTF8.self)
                #expect(throws: (any Error).self, "byte \(i) ^ \(flip)") { try SignedCheckpoint(parsing: string, verifier: signer.verifier) }
            }
        }
    }

    @Test func otherKeysAreRejected() throws {
        let signer = Fixtures.signer()
        let other = try NoteSigner.generate(name: signer.name)
        let checkpoint = SignedCheckpoint(signing: Checkpoint(origin: signer.name, size: 1, root: .zero), with: other)
        #expect(throws: NoteError.noSignatureByKey(signer.name)) { try SignedCheckpoint(parsing: checkpoint.text, verifier: signer.verifier) }
        let renamed = try NoteSigner(name: "other.origin", key: signer.key)
        let foreign = SignedCheckpoint(signing: Checkpoint(origin: "other.origin", size: 1, root: .zero), with: renamed)
        #expect(throws: NoteError.self) { try SignedCheckpoint(parsing: foreign.text, verifier: signer.verifier) }
    }
}

extension String {
    func replacingFirst(_ target: Character, with replacement: String) -> String {
        guard let i = firstIndex(of: target) else { return self }
        return String(self[..<i]) + replacement + String(self[index(after: i)...])
    }
}
