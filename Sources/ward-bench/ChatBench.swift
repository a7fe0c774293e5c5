import ArgumentParser
import Foundation
import Logging
import Synchronization
import WardClient
import WardCrypto
import WardE2EE
import WardProtocol

struct ChatBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "N clients in rooms of K send end-to-end encrypted messages at R per second in all.",
        discussion: """
            Starts ward-server as its own process on loopback, makes N Nurse accounts (each signs in \
            once with a new password and a TOTP second factor, as staff must), connects N real TLS \
            WebSocket clients from this process, registers a device per client and puts them in rooms \
            of K; each member sends one warm-up message, which shares its sender key. Then every \
            client sends at R/N messages a second (evenly spaced, random phase) for \
            the given seconds: each message is sealed with the room's sender key, signed, and \
            acknowledged only once the server has stored it and its audit entry durably. Every \
            delivery's send-to-deliver time is measured (the envelope's nonce identifies the message); \
            one delivery in --sample is decrypted and verified.
            """
    )

    @Option(help: "Connected clients.") var clients: Int = 1000
    @Option(help: "Members per room.") var roomSize: Int = 5
    @Option(help: "Messages sent per second, all clients together.") var rate: Double = 5000
    @Option(help: "Seconds of load after a warm-up message in every room.") var seconds: Double = 10
    @Option(help: "Decrypt and verify one delivery in this many.") var sample: Int = 100
    @Option(
        help: "The suite every client's device speaks: ward-wc-1 (the web client's, and what terminals pick when all devices speak it) or ward-sk-1.")
    var suite: String = CipherSuite.webCryptoV1

    func validate() throws {
        guard clients >= roomSize, roomSize >= 2, clients % roomSize == 0 else {
            throw ValidationError("clients must be a multiple of room-size (at least 2)")
        }
        guard rate > 0, seconds > 0, sample >= 1 else { throw ValidationError("rate, seconds and sample must be positive") }
        guard CipherSuite.supported.contains(suite) else {
            throw ValidationError("suite must be one of \(CipherSuite.supported.sorted().joined(separator: ", "))")
        }
    }

    func run() async throws {
        let server = try await ServerProcess.start()
        defer { server.stop() }
        emit(try await measure(on: server))
    }

    /// The load on `server` (accounts, rooms, warm-up, then the measured phase) and its result.
    /// `duringLoad` starts with the measured phase (the backup benchmark backs up then); the
    /// figures it returns join the result.
    func measure(on server: ServerProcess, duringLoad: @escaping @Sendable () async throws -> [String: Double] = { [:] }) async throws -> [String:
        Any]
    {
        let client = try server.client()
        func connect<T: Sendable>(_ body: @escaping @Sendable (WardConnection) async throws -> T) async throws -> T {
            try await client.connect(body)
        }

        // Accounts: the Admin signs in with a second factor and creates the Nurses; each Nurse
        // signs in once, sets a password and enrols a second factor, keeping that session.
        let password = "bench account passphrase"
        let otp = server.oneTimePassword
        let count = clients
        let adminToken = try await connect { try await Self.firstSignIn($0, username: "admin", oneTime: otp, password: password) }
        // Ten administrator connections share the work, each within its connection's rate limit.
        let created = try await withThrowingTaskGroup(of: [(Int, String, String)].self) { group -> [(String, String)] in
            let workers = 10
            for worker in 0..<workers {
                group.addTask {
                    try await connect { connection in
                        try await connection.request(Resume(token: adminToken))
                        var made: [(Int, String, String)] = []
                        for n in stride(from: worker, to: count, by: workers) {
                            let reply = try await Self.paced(
                                connection, UserCreate(username: "nurse\(n)", role: "Nurse"))
                            made.append((n, reply.userID ?? "", reply.password ?? ""))
                        }
                        return made
                    }
                }
            }
            var created = [(String, String)](repeating: ("", ""), count: count)
            for try await made in group { for (n, id, oneTime) in made { created[n] = (id, oneTime) } }
            return created
        }
        let tokens = try await withThrowingTaskGroup(of: (Int, String).self) { group -> [String] in
            var tokens = [String](repeating: "", count: count)
            var next = 0
            // A few at a time: the setup is not what is measured.
            for _ in 0..<min(16, count) {
                let n = next
                next += 1
                group.addTask {
                    (n, try await connect { try await Self.firstSignIn($0, username: "nurse\(n)", oneTime: created[n].1, password: password) })
                }
            }
            while let (n, token) = try await group.next() {
                tokens[n] = token
                if next < count {
                    let m = next
                    next += 1
                    group.addTask {
                        (m, try await connect { try await Self.firstSignIn($0, username: "nurse\(m)", oneTime: created[m].1, password: password) })
                    }
                }
            }
            return tokens
        }

        let roomSize = self.roomSize
        let interval = Duration.seconds(Double(count) / rate)
        let loadSeconds = seconds
        let sampleEvery = sample
        let suiteName = suite
        let board = Board(clients: count, rooms: count / roomSize)
        let sendTimes = SendTimes()
        let clock = ContinuousClock()

        let (results, serverCPU, serverRSS, clientCPU, loadStart, during) = try await withThrowingTaskGroup(of: ClientResult.self) {
            group -> ([ClientResult], Double, Int, Double, ContinuousClock.Instant, Task<[String: Double], any Error>) in
            for n in 0..<count {
                group.addTask {
                    try await connect { connection -> ClientResult in
                        try await connection.request(Resume(token: tokens[n]))
                        var device = DeviceIdentity()
                        device.suites = [suiteName]
                        let messenger = SecureMessenger(connection: connection, identity: device, userID: created[n].0)
                        try await messenger.register()
                        let group = n / roomSize
                        board.arrive(.registered)
                        await board.wait(.registered)
                        if n % roomSize == 0 {
                            let create = RoomCreate(kind: "staff", name: "Ward \(group)", members: (n..<(n + roomSize)).map { created[$0].0 })
                            board.setRoom(group, try await connection.request(create).room.roomID)
                        }
                        board.arrive(.roomsMade)
                        await board.wait(.roomsMade)
                        let roomID = board.room(group)
                        // Warm-up: every member's first message makes and shares its sender key
                        // (keys.get, then a sealed share per member device), a one-time cost per
                        // membership that the measured phase then does not include.
                        try await messenger.send(MessageContent(body: "warm-up"), to: roomID)
                        board.arrive(.warm)
                        await board.wait(.warm)

                        var result = ClientResult()
                        let start = clock.now
                        let end = start + .seconds(loadSeconds)
                        // Receive while sending.
                        let receiving = Task { () -> ClientResult in
                            var received = ClientResult()
                            while true {
                                let event: ServerEvent
                                do { event = try await connection.nextEvent() } catch { return received }
                                if case let .key(deliveries) = event, let delivery = deliveries.first {
                                    try? await messenger.accept(delivery)
                                }
                                guard case let .message(message) = event else { continue }
                                let now = clock.now
                                if let sent = sendTimes.time(of: message.envelope.nonce) {
                                    received.deliveries.append(now - sent)
                                    received.sentAt.append(sent)
                                    if sendTimes.countDelivery() % sampleEvery == 0 {
                                        do {
                                            _ = try await messenger.open(message)
                                            received.decrypted += 1
                                        } catch {
                                            received.decryptFailures += 1
                                        }
                                    }
                                }
                                if board.finished { return received }
                            }
                        }
                        var due = start + interval * Double.random(in: 0..<1)
                        let body = String(repeating: "x", count: 120)
                        while due < end {
                            try await Task.sleep(until: due, clock: clock)
                            due += interval
                            let sending = clock.now
                            try await messenger.send(
                                MessageContent(body: body), to: roomID,
                                noting: { nonce in
                                    sendTimes.note(nonce, at: sending)
                                })
                            result.acknowledgements.append(clock.now - sending)
                        }
                        result.finishedSending = clock.now
                        board.arrive(.sent)
                        await board.wait(.sent)
                        // Let the last deliveries arrive, then stop receiving.
                        try await Task.sleep(for: .seconds(2))
                        board.finish()
                        receiving.cancel()
                        let received = await receiving.value
                        result.deliveries = received.deliveries
                        result.sentAt = received.sentAt
                        result.decrypted = received.decrypted
                        result.decryptFailures = received.decryptFailures
                        return result
                    }
                }
            }
            await board.wait(.warm)
            let during = Task { try await duringLoad() }
            let loadStart = clock.now
            let cpuAtStart = server.cpuSeconds
            let ownCPUAtStart = ProcessCPU.seconds()
            await board.wait(.sent)
            let cpu = server.cpuSeconds - cpuAtStart
            let ownCPU = ProcessCPU.seconds() - ownCPUAtStart
            let rss = server.residentKiB
            return (try await group.reduce(into: []) { $0.append($1) }, cpu, rss, ownCPU, loadStart, during)
        }
        let duringFigures = try await during.value

        let acknowledgements = results.flatMap(\.acknowledgements).sorted()
        let deliveries = results.flatMap(\.deliveries).sorted()
        let sent = acknowledgements.count
        // The rate achieved: messages acknowledged over the time until the last acknowledgement
        // (which is longer than --seconds when the server falls behind).
        let lastAck = results.compactMap(\.finishedSending).max() ?? loadStart
        let elapsed = max(seconds, Double((lastAck - loadStart).components.seconds) + Double((lastAck - loadStart).components.attoseconds) / 1e18)
        var result: [String: Any] = [
            "bench": "chat", "suite": suite, "clients": clients, "room_size": roomSize, "target_rate": rate, "seconds": seconds,
            "sending_took_seconds": (elapsed * 10).rounded() / 10,
            "sent": sent, "sent_per_second": (Double(sent) / elapsed).rounded(),
            "delivered": deliveries.count, "delivered_per_second": (Double(deliveries.count) / elapsed).rounded(),
            "expected_deliveries": sent * (roomSize - 1),
            "send_to_deliver_p50_ms": percentileMillis(deliveries, 0.5), "send_to_deliver_p99_ms": percentileMillis(deliveries, 0.99),
            "ack_p50_ms": percentileMillis(acknowledgements, 0.5), "ack_p99_ms": percentileMillis(acknowledgements, 0.99),
            "decrypted_samples": results.map(\.decrypted).reduce(0, +), "decrypt_failures": results.map(\.decryptFailures).reduce(0, +),
            "server_rss_kib": serverRSS, "server_cpu_seconds_during_load": (serverCPU * 10).rounded() / 10,
            "load_generator_cpu_seconds_during_load": (clientCPU * 10).rounded() / 10,
            "server_cpu_ms_per_message": sent > 0 ? (serverCPU * 1000 / Double(sent) * 100).rounded() / 100 : 0
        ]
        for (name, value) in duringFigures { result[name] = value }
        // When `duringLoad` names a window (seconds from the start of the measured phase), the
        // deliveries of messages sent within it and outside it are told apart.
        if let from = duringFigures["window_start_s"], let until = duringFigures["window_end_s"] {
            let window = (loadStart + .seconds(from))...(loadStart + .seconds(until))
            let timed = results.flatMap { zip($0.sentAt, $0.deliveries) }
            let inside = timed.filter { window.contains($0.0) }.map(\.1).sorted(), outside = timed.filter { !window.contains($0.0) }.map(\.1).sorted()
            result["send_to_deliver_p99_ms_in_window"] = percentileMillis(inside, 0.99)
            result["send_to_deliver_p50_ms_in_window"] = percentileMillis(inside, 0.5)
            result["send_to_deliver_p99_ms_outside_window"] = percentileMillis(outside, 0.99)
            result["deliveries_in_window"] = inside.count
        }
        return result
    }

    /// Sends `request`, waiting and trying again while the connection is over its rate limit.
    @discardableResult
    static func paced<Payload: RequestPayload>(_ connection: WardConnection, _ request: Payload) async throws -> Payload.Answer {
        try await connection.request(request, pacedBy: .milliseconds(50))
    }

    /// First sign-in of an account: one-time password, new password, TOTP enrolment; returns the
    /// session token (the session has the second factor).
    @discardableResult
    static func firstSignIn(_ connection: WardConnection, username: String, oneTime: String, password: String) async throws -> String {
        let session = try await connection.login(username: username, password: oneTime)
        try await connection.changePassword(current: oneTime, new: password)
        let secret = try await connection.enrollSecondFactor().secret
        let totp = TOTP(secret: SecureBytes(Base32.decode(secret) ?? []))
        _ = try await connection.confirmSecondFactor(code: totp.code(counter: totp.counter(at: Int64(Date().timeIntervalSince1970))))
        return session.token ?? ""
    }
}

/// What one client measured.
struct ClientResult: Sendable {
    var acknowledgements: [Duration] = []
    var finishedSending: ContinuousClock.Instant?
    var deliveries: [Duration] = []
    /// When each delivered message was sent, in the order of `deliveries`.
    var sentAt: [ContinuousClock.Instant] = []
    var decrypted = 0
    var decryptFailures = 0
}

/// Where the clients meet between phases, and the rooms they share.
final class Board: Sendable {
    enum Stage: Int, Sendable { case registered, roomsMade, warm, sent }

    private struct State {
        var arrived: [Int] = [0, 0, 0, 0]
        var rooms: [String]
        var finished = false
        var waiters: [(Stage, CheckedContinuation<Void, Never>)] = []
    }

    private let clients: Int
    private let state: Mutex<State>

    init(clients: Int, rooms: Int) {
        self.clients = clients
        state = Mutex(State(rooms: [String](repeating: "", count: rooms)))
    }

    func arrive(_ stage: Stage) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.arrived[stage.rawValue] += 1
            guard state.arrived[stage.rawValue] == clients else { return [] }
            let ready = state.waiters.filter { $0.0 == stage }.map(\.1)
            state.waiters.removeAll { $0.0 == stage }
            return ready
        }
        for waiter in ready { waiter.resume() }
    }

    func wait(_ stage: Stage) async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.arrived[stage.rawValue] == clients { return true }
                state.waiters.append((stage, continuation))
                return false
            }
            if now { continuation.resume() }
        }
    }

    func setRoom(_ index: Int, _ roomID: String) { state.withLock { $0.rooms[index] = roomID } }
    func room(_ index: Int) -> String { state.withLock { $0.rooms[index] } }
    var finished: Bool { state.withLock { $0.finished } }
    func finish() { state.withLock { $0.finished = true } }
}

/// When each message was sent, by its envelope's nonce.
final class SendTimes: Sendable {
    private let times = Mutex<[String: ContinuousClock.Instant]>([:])
    func note(_ nonce: String, at time: ContinuousClock.Instant) { times.withLock { $0[nonce] = time } }
    func time(of nonce: String) -> ContinuousClock.Instant? { times.withLock { $0[nonce] } }
    private let delivered = Mutex(0)
    /// Counts a delivery across all clients; returns the count so far.
    func countDelivery() -> Int {
        delivered.withLock {
            $0 += 1; return $0
        }
    }
}

/// CPU time this process has used (user + system), seconds.
enum ProcessCPU {
    static func seconds() -> Double {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
