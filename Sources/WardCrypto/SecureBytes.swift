import CSodium

/// A buffer for secret material (private keys, derived keys) that is wiped when released.
///
/// Swift arrays may be copied by the runtime, so wiping cannot be promised for every copy a
/// program makes; `SecureBytes` keeps one heap allocation that it owns and zeroes on `deinit`,
/// and it never hands out an array of its contents unless asked to.
public final class SecureBytes: @unchecked Sendable {
    // Immutable after init: the contents are written once, then only read, so sharing across
    // threads is safe; the class exists for the deinit that zeroes the buffer.
    private let base: UnsafeMutableRawPointer

    /// The number of bytes held.
    public let count: Int

    /// Copies `bytes` into a new secure buffer.
    public init(_ bytes: some ContiguousBytes) {
        requireSodium()
        let count = bytes.withUnsafeBytes { $0.count }
        // Allocate at least one byte so the pointer is never null, even for an empty secret.
        base = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 16)
        self.count = count
        bytes.withUnsafeBytes { source in
            if let from = source.baseAddress, count > 0 { base.copyMemory(from: from, byteCount: count) }
        }
    }

    /// A buffer of `count` random bytes.
    public convenience init(randomCount count: Int) {
        var random = SecureRandom.bytes(count)
        self.init(random)
        SecureBytes.wipe(&random)
    }

    deinit {
        sodium_memzero(base, max(count, 1))
        base.deallocate()
    }

    /// Calls `body` with the secret bytes.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// A copy of the bytes as an array; the caller is responsible for wiping it.
    public func copyBytes() -> [UInt8] { [UInt8](UnsafeRawBufferPointer(start: base, count: count)) }

    /// Overwrites an array's contents with zeros in a way the optimiser cannot remove.
    public static func wipe(_ bytes: inout [UInt8]) {
        requireSodium()
        bytes.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { sodium_memzero(base, buffer.count) }
        }
    }
}

extension SecureBytes: ContiguousBytes {}
