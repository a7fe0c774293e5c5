public import Dispatch
import Foundation
import Synchronization
import WardCrypto

/// SIGHUP's default action (terminate) is turned off once per process, before the first
/// dispatch source for it exists: libdispatch installs its own handler when a source is made,
/// and a later `signal(SIGHUP, SIG_IGN)` would replace that handler and silence every source.
private let hangupDefaultActionOff: Void = { _ = signal(SIGHUP, SIG_IGN) }()

/// What happened when a policy directory was (re)loaded: the hash of what was read, whether it
/// is now in force, and if not, why. Every load, accepted or refused, is reported to the
/// store's observer (the server writes it to the audit log) before anything changes.
public struct PolicyLoadEvent: Hashable, Sendable {
    public var hash: String
    public var accepted: Bool
    public var policyCount: Int
    /// Why a load was refused (parse errors with file:line:col, failing tests).
    public var reason: String?
}

/// The policy set in force, and its safe replacement.
///
/// A reload parses the directory, compiles it, runs its tests (`tests/`), reports the outcome
/// to the observer, and only then swaps the set in, atomically: a request decided during a
/// reload sees either the old set or the new one, never a mix, and a set that fails to parse or
/// to pass its tests leaves the old one in force.
public final class PolicyStore: Sendable {
    public typealias Observer = @Sendable (PolicyLoadEvent) async throws -> Void
    /// A further check a set must pass to be loaded (the caller's own requirements); it throws
    /// with a message saying what is wrong.
    public typealias Requirement = @Sendable (PolicySet) throws -> Void

    public let directory: String
    private let observer: Observer
    private let requirement: Requirement
    private let state: Mutex<PolicySet>

    /// Loads `directory` (which must parse, pass its tests and meet `requirement`) and reports
    /// the load.
    public init(directory: String, requirement: @escaping Requirement = { _ in }, observer: @escaping Observer = { _ in }) async throws {
        self.directory = directory
        self.observer = observer
        self.requirement = requirement
        let (set, event) = Self.candidate(directory, requirement)
        try await observer(event)
        guard let set, event.accepted else { throw PolicyLoadError.refused(event.reason ?? "unknown reason") }
        state = Mutex(set)
    }

    /// The set in force now.
    public var current: PolicySet { state.withLock { $0 } }

    /// Decides with the set in force now.
    public func authorize(_ request: AuthorizationRequest, entities: EntityStore) -> (response: AuthorizationResponse, policySetHash: [UInt8]) {
        let set = current
        return (set.compiled.authorize(request, entities: entities), set.hash)
    }

    /// Reloads the directory. Returns the event; the old set stays in force unless it was
    /// accepted and the observer recorded it.
    @discardableResult
    public func reload() async throws -> PolicyLoadEvent {
        let (set, event) = Self.candidate(directory, requirement)
        try await observer(event)
        if let set, event.accepted { state.withLock { $0 = set } }
        return event
    }

    /// Reloads whenever the directory's files change, checking every `interval`, until the
    /// task is cancelled. Failed reloads are reported like any other.
    public func watch(every interval: Duration = .seconds(2)) async {
        var lastSeen = Self.fingerprint(directory)
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            let seen = Self.fingerprint(directory)
            if seen != lastSeen {
                lastSeen = seen
                _ = try? await reload()
            }
        }
    }

    /// Reloads on every SIGHUP until the returned source is cancelled. SIGHUP's default action
    /// (terminate) is turned off for the process, as a server that reloads on it wants.
    ///
    /// Returns once the source is registered: libdispatch installs its handler on its own
    /// queue after `resume()`, and a SIGHUP that arrives before then meets `SIG_IGN` and is
    /// lost (a test that signalled right after this call could miss its reload).
    public func reloadOnHangup() async -> any DispatchSourceSignal {
        _ = hangupDefaultActionOff
        let source = DispatchSource.makeSignalSource(signal: SIGHUP)
        source.setEventHandler { [self] in
            Task { _ = try? await self.reload() }
        }
        await withCheckedContinuation { (registered: CheckedContinuation<Void, Never>) in
            source.setRegistrationHandler { registered.resume() }
            source.resume()
        }
        return source
    }

    /// Parse, compile and test; never throws, so that a refusal is reported like an acceptance.
    static func candidate(_ directory: String, _ requirement: Requirement) -> (PolicySet?, PolicyLoadEvent) {
        let sources: [PolicySet.Source]
        do { sources = try PolicySet.readSources(directory: directory) } catch {
            return (nil, PolicyLoadEvent(hash: "", accepted: false, policyCount: 0, reason: "\(error)"))
        }
        let hash = hashHex(sources)
        do {
            let set = try PolicySet(sources: sources)
            try requirement(set)
            let files = try PolicyTests.load(directory: directory + "/tests")
            let report = PolicyTests.run(files, against: set)
            guard report.succeeded else {
                return (
                    nil,
                    PolicyLoadEvent(
                        hash: hash, accepted: false, policyCount: set.policies.count, reason: PolicyLoadError.testsFailed(report.problems).description
                    )
                )
            }
            return (set, PolicyLoadEvent(hash: hash, accepted: true, policyCount: set.policies.count, reason: nil))
        } catch {
            return (nil, PolicyLoadEvent(hash: hash, accepted: false, policyCount: 0, reason: "\(error)"))
        }
    }

    /// What the directory holds now: the policy hash, and the test files' sizes and times.
    private static func fingerprint(_ directory: String) -> String {
        let sources = (try? PolicySet.readSources(directory: directory)) ?? []
        return hashHex(sources) + "|" + testsFingerprint(directory)
    }

    private static func hashHex(_ sources: [PolicySet.Source]) -> String {
        Hex.encode(PolicySet.hash(sources))
    }

    /// Sizes and modification times of the test files, so edited tests trigger a reload too.
    private static func testsFingerprint(_ directory: String) -> String {
        let tests = directory + "/tests"
        guard let names = try? FileManager.default.subpathsOfDirectory(atPath: tests) else { return "" }
        return names.sorted().map { name -> String in
            let attributes = try? FileManager.default.attributesOfItem(atPath: tests + "/" + name)
            let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
            let date = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(name):\(size):\(date)"
        }.joined(separator: "|")
    }
}
