// swift-tools-version: 6.1
import PackageDescription

/// Upcoming features the codebases we learn from (Hummingbird, swift-nio) turn on, so that
/// imports and existentials are explicit.
let strictSettings: [SwiftSetting] = [
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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // C libraries from Debian packages (the Makefile installs them).
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
        // SHA-256 for the audit log's hot path (see Sources/COpenSSLCrypto/shim.h).
        .systemLibrary(name: "COpenSSLCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),

        // Cryptographic primitives: one Swift face over libsodium, libargon2 and swift-crypto.
        .target(
            name: "WardCrypto",
            dependencies: [
                "CSodium", "CArgon2",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        // The tamper-evident audit log: entries, Merkle tree, signed checkpoints, proofs, verifier.
        .target(
            name: "WardAudit",
            dependencies: [
                "WardCrypto", "COpenSSLCrypto",
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
        // What the command-line tools share: exit statuses and error reporting.
        .target(
            name: "WardCommandLine",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")],
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
            name: "wardctl",
            dependencies: [
                "WardPolicy", "WardCommandLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "ward-bench",
            dependencies: [
                "WardAudit", "WardCrypto", "WardPolicy",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),

        // Helpers shared by the test targets (temporary directories).
        .target(name: "WardTestSupport", path: "Tests/WardTestSupport", swiftSettings: strictSettings),
        .testTarget(name: "WardCryptoTests", dependencies: ["WardCrypto", "CSodium"], swiftSettings: strictSettings),
        .testTarget(name: "WardAuditTests", dependencies: ["WardAudit", "WardCrypto", "WardTestSupport"], swiftSettings: strictSettings),
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
            name: "CommandLineTests",
            dependencies: ["WardAudit", "WardCrypto", "WardPolicy", "WardTestSupport", "auditctl", "ward-bench", "wardctl"],
            swiftSettings: strictSettings
        ),
    ]
)
