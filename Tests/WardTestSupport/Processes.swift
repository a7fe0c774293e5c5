import Foundation

/// What a finished program printed, and how it ended.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs a program to completion and collects its output; `environment` adds variables.
public func runProcess(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Drain standard error on another thread while reading standard output here: a child that
    // fills one pipe while we wait on the other would otherwise block for ever.
    let errors = ErrorCollector()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { errors.set(err.fileHandleForReading.readDataToEndOfFile()) }
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return ProcessResult(
        status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
        stderr: String(decoding: errors.data, as: UTF8.self))
}

/// Standard error's bytes, handed from the draining thread to the caller.
private final class ErrorCollector: @unchecked Sendable {
    // Written once before `group.wait()` returns, read after it: the group orders the two.
    private(set) var data = Data()
    func set(_ value: Data) { data = value }
}

/// A small seeded generator (SplitMix64), so random tests repeat from their seed.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Runs blocking work (a program, a wait that polls with sleeps) on a Dispatch thread. Swift's
/// concurrent tests share as many threads as there are cores (two here), and the servers the
/// in-process tests run answer on those same threads: one test blocking them stalls every other
/// test's server, whose clients then time out (seen: a whole run failing at the 30 s upgrade limit).
public func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { done in
        DispatchQueue.global().async { done.resume(with: Result { try body() }) }
    }
}

/// `runProcess` off the shared threads (`offThePool`).
public func runProcessInBackground(_ path: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> ProcessResult {
    try await offThePool { try runProcess(path, arguments, environment: environment) }
}
