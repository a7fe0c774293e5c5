import ArgumentParser
import Foundation
import WardCrypto
import WardE2EE
import WardProtocol

struct KeyShareBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key-share",
        abstract: "Sealing a sender key share to D devices and opening one, per suite: mean and p99 µs.",
        discussion: """
            For each suite (ward-sk-1, ward-wc-1): build, sign and seal a share to each of D devices \
            (what a sender does when it makes a key), then open and check one (what a recipient does). \
            The reference, in the same run, is the suite's raw primitives on the same sizes: D seals and \
            one open of libsodium's crypto_box_seal (ward-sk-1) or swift-crypto's HPKE (ward-wc-1), plus \
            D Ed25519 signatures and one verification (libsodium). One JSON line per suite.
            """
    )

    @Option(help: "Recipient devices per key.")
    var devices: Int = 5
    @Option(help: "Timed repetitions per suite.")
    var rounds: Int = 2_000

    func validate() throws {
        guard devices >= 1, rounds >= 10 else { throw ValidationError("--devices must be at least 1 and --rounds at least 10") }
    }

    func run() throws {
        let sender = DeviceIdentity()
        let recipients = (0..<devices).map { _ in DeviceIdentity() }
        let verified = try recipients.map { try DeviceKeysCheck.verify($0.publicKeys(userID: "user:bench")) }
        let senderKeys = try DeviceKeysCheck.verify(sender.publicKeys(userID: "user:bench"))
        let clock = ContinuousClock()
        for suite in [CipherSuite.senderKeysV1, CipherSuite.webCryptoV1] {
            var samples: [Duration] = []
            var references: [Duration] = []
            for _ in 0..<rounds {
                let chain = SenderChain()
                let keyID = SenderKeyShare.makeKeyID()
                let t0 = clock.now
                let sealed = try verified.map { recipient in
                    try SenderKeyShare(
                        roomID: "room:bench", keyID: keyID, senderDevice: sender.deviceID, recipientDevice: recipient.deviceID,
                        chain: chain, suite: suite
                    ).seal(to: recipient, signer: sender)
                }
                let delivery = KeyDelivery(
                    roomID: "room:bench", keyID: keyID, senderID: "user:bench", senderDevice: sender.deviceID,
                    suite: suite, sealed: sealed[0].sealed)
                _ = try SenderKeyShare.open(delivery, identity: recipients[0], sender: senderKeys)
                samples.append(t0.duration(to: clock.now))

                // The raw primitives on the same sizes: a share's plaintext is about 190 bytes
                // plus its 64-byte signature.
                let plaintext = [UInt8](repeating: 7, count: 190)
                let t1 = clock.now
                var boxes: [[UInt8]] = []
                for recipient in verified {
                    let signature = sender.signing.signature(for: plaintext)
                    let body = plaintext + signature
                    boxes.append(
                        suite == CipherSuite.webCryptoV1
                            ? try HPKEBox.seal(body, to: recipient.encryptionKey, info: Array("bench".utf8))
                            : try SealedBox.seal(body, to: recipient.encryptionKey))
                }
                let opened =
                    suite == CipherSuite.webCryptoV1
                    ? try HPKEBox.open(boxes[0], privateKey: recipients[0].encryption.privateKey, info: Array("bench".utf8))
                    : try SealedBox.open(boxes[0], with: recipients[0].encryption)
                _ = senderKeys.signingKey.isValidSignature(Array(opened.suffix(64)), for: Array(opened.prefix(opened.count - 64)))
                references.append(t1.duration(to: clock.now))
            }
            samples.sort()
            references.sort()
            func micros(_ d: Duration) -> Double { (millis(d) * 1000 * 10).rounded() / 10 }
            let mean = samples.reduce(Duration.zero, +) / samples.count
            let referenceMean = references.reduce(Duration.zero, +) / references.count
            emit([
                "bench": "key-share", "suite": suite, "devices": devices, "rounds": rounds,
                "mean_us": micros(mean), "p99_us": (percentileMillis(samples, 0.99) * 10_000).rounded() / 10,
                "reference": suite == CipherSuite.webCryptoV1
                    ? "swift-crypto HPKE seal x\(devices) + open, libsodium Ed25519 sign x\(devices) + verify"
                    : "libsodium crypto_box_seal x\(devices) + open, Ed25519 sign x\(devices) + verify",
                "reference_mean_us": micros(referenceMean),
                "ratio_to_reference": (millis(mean) / millis(referenceMean) * 1000).rounded() / 1000
            ])
        }
    }
}
