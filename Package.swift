// swift-tools-version: 6.2
import PackageDescription

/// Upcoming features the codebases we learn from (Hummingbird, swift-nio) turn on, so that
/// imports and existentials are explicit.
let strictSettings: [SwiftSetting] = [
    // The project's own code builds without a warning (issue 20); dependencies' are theirs.
    .treatAllWarnings(as: .error),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Ward",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "WardCrypto", targets: ["WardCrypto"]),
        .library(name: "WardAudit", targets: ["WardAudit"]),
        .library(name: "WardPolicy", targets: ["WardPolicy"]),
        .executable(name: "auditctl", targets: ["auditctl"]),
        .executable(name: "ward-bench", targets: ["ward-bench"]),
        .executable(name: "wardctl", targets: ["wardctl"]),
        .executable(name: "ward", targets: ["ward"]),
        .executable(name: "ward-server", targets: ["ward-server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        // Already under Hummingbird; named for the service group a server in a test stops gracefully.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        // Hummingbird's header types, named for the web client's security headers.
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        // Named because WardServer builds the appliance's certificates with it (DER, PEM), not
        // only through swift-certificates.
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    ],
    targets: [
        // C libraries from Debian packages (the Makefile installs them).
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
        // SHA-256 for the audit log's hot path (see Sources/COpenSSLCrypto/shim.h).
        .systemLibrary(name: "COpenSSLCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // The terminal client's screen (wide characters). Not through pkg-config: ncursesw.pc's cflags are
        // flags SwiftPM refuses, and the headers are in the default path.
        .systemLibrary(name: "CNCursesW", providers: [.apt(["libncurses-dev"])]),

        // Cryptographic primitives: one Swift face over libsodium, libargon2 and swift-crypto.
        .target(
            name: "WardCrypto",
            dependencies: [
                "CSodium", "CArgon2",
                .product(name: "Crypto", package: "swift-crypto"),
                // PBKDF2 for the WebCrypto-native identity backup (browsers have no Argon2id).
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        // The tamper-evident audit log: entries, Merkle tree, signed checkpoints, proofs, verifier.
        // Group commit: one thread, one sync per batch; shared by the audit log and the store.
        .target(name: "WardGroupCommit", swiftSettings: strictSettings),
        .target(
            name: "WardAudit",
            dependencies: [
                "WardCrypto", "COpenSSLCrypto", "WardGroupCommit",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The policy engine: Cedar policies, parsed, compiled and evaluated with Cedar's semantics.
        .target(
            name: "WardPolicy",
            dependencies: ["WardCrypto"],
            swiftSettings: strictSettings
        ),
        // The gate's pieces that join the policy engine and the audit log.
        .target(
            name: "WardGate",
            dependencies: ["WardAudit", "WardPolicy", "WardCrypto"],
            swiftSettings: strictSettings
        ),
        // Storage: SQLite through GRDB, explicit migrations, records as plain structs.
        // The registry of the personal data Ward stores (GDPR Art. 30): plain values, no database,
        // so wardctl prints it without linking the store.
        .target(name: "WardPersonalData", swiftSettings: strictSettings),
        .target(
            name: "WardStore",
            dependencies: ["WardGroupCommit", "WardProtocol", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSettings
        ),
        // The wire protocol's messages, shared by the server and its clients.
        .target(name: "WardProtocol", swiftSettings: strictSettings),
        // The terminal client's logic without a terminal: display widths, wrapping, line editing, commands.
        .target(name: "WardTerminal", dependencies: ["WardProtocol"], swiftSettings: strictSettings),
        // End-to-end encryption: device keys, sender-key ratchets, envelopes (suite ward-sk-1).
        .target(name: "WardE2EE", dependencies: ["WardCrypto", "WardProtocol"], swiftSettings: strictSettings),
        // The server: data directory, TLS WebSocket service, sessions, the gate.
        .target(
            name: "WardServer",
            dependencies: [
                "WardAudit", "WardPolicy", "WardGate", "WardStore", "WardPersonalData", "WardProtocol", "WardCrypto", "WardE2EE",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // The client library: the only code that builds protocol frames.
        .target(
            name: "WardClient",
            dependencies: [
                "WardProtocol", "WardE2EE", "WardCrypto",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: strictSettings
        ),
        // What the command-line tools share: exit statuses and error reporting.
        .target(
            name: "WardCommandLine",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strictSettings
        ),
        // The clinic's messaging client.
        .executableTarget(
            name: "ward",
            dependencies: [
                "WardClient", "WardE2EE", "WardCrypto", "WardProtocol", "WardCommandLine", "WardTerminal", "CNCursesW",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "auditctl",
            dependencies: [
                "WardAudit", "WardCrypto", "WardCommandLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "ward-server",
            dependencies: [
                "WardServer", "WardStore", "WardCrypto", "WardCommandLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "wardctl",
            dependencies: [
                "WardPolicy", "WardCommandLine", "WardClient", "WardProtocol", "WardPersonalData",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "ward-bench",
            dependencies: [
                "WardAudit", "WardCrypto", "WardPolicy", "WardServer", "WardStore", "WardClient", "WardProtocol", "WardE2EE",
                // Only for the backup bench's reference (SQLiteReference.swift): SQLite without Ward.
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),

        // Helpers shared by the test targets (temporary directories, processes, free-form requests).
        .target(name: "WardTestSupport", dependencies: ["WardProtocol", "WardClient"], path: "Tests/WardTestSupport", swiftSettings: strictSettings),
        .testTarget(name: "WardCryptoTests", dependencies: ["WardCrypto", "CSodium"], swiftSettings: strictSettings),
        .testTarget(name: "WardE2EETests", dependencies: ["WardE2EE", "WardCrypto", "WardProtocol", "WardTestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "WardTerminalTests", dependencies: ["WardTerminal", "WardProtocol"], swiftSettings: strictSettings),
        .testTarget(name: "WardProtocolTests", dependencies: ["WardProtocol", "WardTestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "WardStoreTests",
            dependencies: ["WardStore", "WardPersonalData", "WardTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "WardAuditTests", dependencies: ["WardAudit", "WardCrypto", "WardGroupCommit", "WardTestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "WardPolicyTests",
            dependencies: ["WardPolicy", "WardTestSupport"],
            exclude: ["cedar_reference.py"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "WardGateTests",
            dependencies: ["WardGate", "WardAudit", "WardPolicy", "WardCrypto", "WardTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "WardServerTests",
            dependencies: [
                "WardServer", "WardStore", "WardPersonalData", "WardClient", "WardProtocol", "WardAudit", "WardPolicy", "WardCrypto", "WardE2EE", "WardTestSupport",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            exclude: ["slow_reader.py"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CommandLineTests",
            dependencies: ["WardAudit", "WardCrypto", "WardPolicy", "WardTestSupport", "WardClient", "WardProtocol", "WardCommandLine", "auditctl", "ward-bench", "wardctl", "ward-server", "ward",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
