import CArgon2

/// Argon2id password hashing (RFC 9106) with libargon2, the reference implementation.
///
/// Hashes are stored as standard PHC strings, `$argon2id$v=19$m=…,t=…,p=…$salt$hash`, so they
/// verify with other Argon2 implementations (libsodium, argon2-cffi, Go's x/crypto) and theirs
/// with ours.
public struct Argon2id: Sendable {
    /// The cost parameters of one hash.
    public struct Parameters: Hashable, Sendable, CustomStringConvertible {
        /// Memory in KiB (`m`).
        public var memoryKiB: UInt32
        /// Passes over memory (`t`).
        public var iterations: UInt32
        /// Lanes, and threads used to fill them (`p`).
        public var parallelism: UInt32
        /// Salt length in bytes for new hashes.
        public var saltLength: Int
        /// Tag (hash output) length in bytes for new hashes.
        public var tagLength: Int

        public init(memoryKiB: UInt32, iterations: UInt32, parallelism: UInt32, saltLength: Int = 16, tagLength: Int = 32) {
            self.memoryKiB = memoryKiB
            self.iterations = iterations
            self.parallelism = parallelism
            self.saltLength = saltLength
            self.tagLength = tagLength
        }

        /// RFC 9106 §4, second recommended option: 64 MiB, 3 passes, 4 lanes, 128-bit salt,
        /// 256-bit tag. Ward's default.
        public static let rfc9106SecondRecommended = Parameters(memoryKiB: 64 * 1024, iterations: 3, parallelism: 4)

        public var description: String { "m=\(memoryKiB),t=\(iterations),p=\(parallelism)" }

        /// Throws unless libargon2 accepts these values.
        public func validate() throws {
            guard parallelism >= 1, parallelism <= 255 else { throw CryptoError.invalidParameters("p must be 1...255") }
            guard iterations >= 1 else { throw CryptoError.invalidParameters("t must be at least 1") }
            guard memoryKiB >= 8 * parallelism else { throw CryptoError.invalidParameters("m must be at least 8*p KiB") }
            guard memoryKiB <= 4 * 1024 * 1024 else { throw CryptoError.invalidParameters("m above 4 GiB is refused") }
            guard saltLength >= 8, saltLength <= 64 else { throw CryptoError.invalidParameters("salt must be 8...64 bytes") }
            guard tagLength >= 16, tagLength <= 64 else { throw CryptoError.invalidParameters("tag must be 16...64 bytes") }
        }
    }

    /// The parameters new hashes are made with.
    public let parameters: Parameters

    /// A hasher for new hashes at `parameters` (default: RFC 9106 second recommended option).
    public init(parameters: Parameters = .rfc9106SecondRecommended) throws {
        try parameters.validate()
        self.parameters = parameters
    }

    /// Hashes `password` with a fresh random salt and returns the PHC string.
    public func hash(password: some ContiguousBytes) throws -> String {
        let salt = SecureRandom.bytes(parameters.saltLength)
        let tag = try Argon2id.rawHash(password: password, salt: salt, parameters: parameters, tagLength: parameters.tagLength)
        return PHCString(parameters: parameters, salt: salt, tag: tag).encoded
    }

    /// True when `password` matches `encoded`. The tag comparison is constant-time. Throws
    /// `malformedPasswordHash` when `encoded` is not an Argon2id PHC string.
    public func verify(password: some ContiguousBytes, against encoded: String) throws -> Bool {
        let phc = try PHCString(parsing: encoded)
        let candidate = try Argon2id.rawHash(password: password, salt: phc.salt, parameters: phc.parameters, tagLength: phc.tag.count)
        return ConstantTime.equal(candidate, phc.tag)
    }

    /// True when `encoded` was made with other parameters than this hasher's, so the password
    /// should be hashed again after the next successful login.
    public func needsRehash(_ encoded: String) -> Bool {
        guard let phc = try? PHCString(parsing: encoded) else { return true }
        return phc.parameters.memoryKiB != parameters.memoryKiB
            || phc.parameters.iterations != parameters.iterations
            || phc.parameters.parallelism != parameters.parallelism
            || phc.tag.count != parameters.tagLength
            || phc.salt.count < parameters.saltLength
    }

    /// The raw Argon2id (version 0x13) tag, with the optional secret `K` and associated data `X`
    /// of RFC 9106 §3.1. Used by `hash` and by the RFC's test vectors.
    public static func rawHash(
        password: some ContiguousBytes, salt: [UInt8], secret: [UInt8] = [], associatedData: [UInt8] = [],
        parameters: Parameters, tagLength: Int
    ) throws -> [UInt8] {
        var tag = [UInt8](repeating: 0, count: tagLength)
        var saltCopy = salt, secretCopy = secret, adCopy = associatedData
        let status: Int32 = password.withUnsafeBytes { pwd in
            tag.withUnsafeMutableBufferPointer { out in
                saltCopy.withUnsafeMutableBufferPointer { s in
                    secretCopy.withUnsafeMutableBufferPointer { k in
                        adCopy.withUnsafeMutableBufferPointer { x in
                            var context = argon2_context(
                                out: out.baseAddress, outlen: UInt32(out.count),
                                pwd: UnsafeMutablePointer(mutating: pwd.baseAddress?.assumingMemoryBound(to: UInt8.self)),
                                pwdlen: UInt32(pwd.count),
                                salt: s.baseAddress, saltlen: UInt32(s.count),
                                secret: k.count > 0 ? k.baseAddress : nil, secretlen: UInt32(k.count),
                                ad: x.count > 0 ? x.baseAddress : nil, adlen: UInt32(x.count),
                                t_cost: parameters.iterations, m_cost: parameters.memoryKiB,
                                lanes: parameters.parallelism, threads: parameters.parallelism,
                                version: UInt32(ARGON2_VERSION_13.rawValue),
                                allocate_cbk: nil, free_cbk: nil, flags: 0 // ARGON2_DEFAULT_FLAGS (a macro Swift cannot import)
                            )
                            return argon2_ctx(&context, Argon2_id)
                        }
                    }
                }
            }
        }
        guard status == ARGON2_OK.rawValue else {
            throw CryptoError.library(String(cString: argon2_error_message(status)))
        }
        return tag
    }
}
