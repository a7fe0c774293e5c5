import CSodium
import Foundation

/// A whole file encrypted as a stream (libsodium's `crypto_secretstream_xchacha20poly1305`):
/// chunks of 64 KiB, each authenticated in order, the last one marked final, so a reordered,
/// altered or cut-short file does not decrypt. Used for backups, whose files are too large to
/// seal in one piece. Layout: the 24-byte stream header, then each chunk as a 4-byte big-endian
/// length and its ciphertext (17 bytes longer than the plaintext).
public enum FileStream {
    public static let chunkBytes = 64 * 1024
    /// How much an encryption writes between flushes to disk.
    static let syncEveryBytes = 8 * 1024 * 1024

    /// Encrypts the file at `source` into a new file at `destination` (0600) under `key` (32
    /// bytes), syncing it; returns the number of plaintext bytes.
    @discardableResult
    public static func encrypt(_ source: String, to destination: String, key: SecureBytes) throws -> Int {
        requireSodium()
        guard key.count == Int(crypto_secretstream_xchacha20poly1305_keybytes()) else {
            throw CryptoError.invalidLength(what: "stream key", expected: 32, actual: key.count)
        }
        let (input, output) = try openFiles(source, destination)
        defer {
            try? input.close()
            try? output.close()
        }
        var state = crypto_secretstream_xchacha20poly1305_state()
        var header = [UInt8](repeating: 0, count: Int(crypto_secretstream_xchacha20poly1305_headerbytes()))
        key.withNonNullBytes { k, _ in _ = crypto_secretstream_xchacha20poly1305_init_push(&state, &header, k) }
        try output.write(contentsOf: header)
        var total = 0
        var chunk = try input.read(upToCount: chunkBytes) ?? Data()
        while true {
            let next = chunk.count == chunkBytes ? (try input.read(upToCount: chunkBytes) ?? Data()) : Data()
            let tag = next.isEmpty ? UInt8(crypto_secretstream_xchacha20poly1305_TAG_FINAL) : UInt8(crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)
            var sealed = [UInt8](repeating: 0, count: chunk.count + Int(crypto_secretstream_xchacha20poly1305_abytes()))
            var sealedLength: UInt64 = 0
            chunk.withUnsafeBytes { plain in
                _ = crypto_secretstream_xchacha20poly1305_push(
                    &state, &sealed, &sealedLength, plain.bindMemory(to: UInt8.self).baseAddress,
                    UInt64(chunk.count), nil, 0, tag)
            }
            var length = UInt32(sealedLength).bigEndian
            try output.write(contentsOf: Data(bytes: &length, count: 4))
            try output.write(contentsOf: sealed.prefix(Int(sealedLength)))
            total += chunk.count
            // On disk as it goes, a few MiB at a time: a backup written while the server serves
            // would otherwise leave a gigabyte for one final fsync, and the server's own commits
            // (fdatasync, a few KiB each) would wait behind it (docs/PERFORMANCE.md, `ward-bench backup`).
            if total % syncEveryBytes < chunk.count { try output.synchronize() }
            if next.isEmpty { break }
            chunk = next
        }
        try output.synchronize()
        return total
    }

    /// Decrypts a file `encrypt` wrote into a new file at `destination` (0600); throws
    /// `authenticationFailed` when anything was altered, reordered or cut off.
    public static func decrypt(_ source: String, to destination: String, key: SecureBytes) throws {
        requireSodium()
        let (input, output) = try openFiles(source, destination)
        defer {
            try? input.close()
            try? output.close()
        }
        let headerBytes = Int(crypto_secretstream_xchacha20poly1305_headerbytes())
        guard let header = try input.read(upToCount: headerBytes), header.count == headerBytes, key.count == 32 else {
            throw CryptoError.authenticationFailed
        }
        var state = crypto_secretstream_xchacha20poly1305_state()
        let headerArray = [UInt8](header)
        let started = key.withNonNullBytes { k, _ in crypto_secretstream_xchacha20poly1305_init_pull(&state, headerArray, k) }
        guard started == 0 else { throw CryptoError.authenticationFailed }
        var finished = false
        while !finished {
            guard let prefix = try input.read(upToCount: 4), prefix.count == 4 else { throw CryptoError.authenticationFailed }
            let length = Int(prefix.reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            guard length >= Int(crypto_secretstream_xchacha20poly1305_abytes()),
                length <= chunkBytes + Int(crypto_secretstream_xchacha20poly1305_abytes()),
                let sealed = try input.read(upToCount: length), sealed.count == length
            else { throw CryptoError.authenticationFailed }
            var plain = [UInt8](repeating: 0, count: length)
            var plainLength: UInt64 = 0
            var tag: UInt8 = 0
            let status = [UInt8](sealed).withUnsafeBufferPointer {
                crypto_secretstream_xchacha20poly1305_pull(&state, &plain, &plainLength, &tag, $0.baseAddress, UInt64(length), nil, 0)
            }
            guard status == 0 else { throw CryptoError.authenticationFailed }
            try output.write(contentsOf: plain.prefix(Int(plainLength)))
            finished = tag == UInt8(crypto_secretstream_xchacha20poly1305_TAG_FINAL)
        }
        // Nothing may follow the final chunk.
        guard (try input.read(upToCount: 1) ?? Data()).isEmpty else { throw CryptoError.authenticationFailed }
        try output.synchronize()
    }

    /// The source opened for reading and the destination created (0600) for writing.
    private static func openFiles(_ source: String, _ destination: String) throws -> (FileHandle, FileHandle) {
        guard let input = FileHandle(forReadingAtPath: source) else { throw CryptoError.library("cannot read \(source)") }
        guard FileManager.default.createFile(atPath: destination, contents: nil, attributes: [.posixPermissions: 0o600]),
            let output = FileHandle(forWritingAtPath: destination)
        else {
            try? input.close()
            throw CryptoError.library("cannot create \(destination)")
        }
        return (input, output)
    }
}
