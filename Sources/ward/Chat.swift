import ArgumentParser
import Foundation
import Synchronization
import WardClient
import WardCommandLine
import WardE2EE
import WardProtocol
import WardTerminal

/// `ward USER@HOST`: the screen. Sign-in happens at the terminal first (so that a wrong password
/// or an untrusted server is a plain error); then the screen takes over until /quit. A lost
/// connection is retried with backoff (1, 2, 4 … 30 s), resuming the session and the windows
/// where they left off.
struct Chat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open the chat screen (the default command: `ward USER@HOST`).",
        discussion: """
            Windows: 1 is ward's own (help, command output); each room has the next number. Alt-number, Ctrl-N and Ctrl-P switch; PgUp and \
            PgDn scroll back; Up and Down recall what you typed; Ctrl-A, Ctrl-E, Ctrl-W, Ctrl-K, Ctrl-U and Ctrl-Y edit as in a shell. \
            /help lists the commands; /quit (or Ctrl-C) asks before leaving.

            A message you type is shown as "(unsent)" until the server has stored it; typed while the connection is down, it waits and is \
            sent when the connection is back.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        guard isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 else {
            throw UsageError("the chat screen needs a terminal; for scripts use `ward send`, `ward read` and `ward rooms`")
        }
        let access = try await connection.access()
        let hold = connection.holdsAfterIdentityChange
        let password = try readSecret(prompt: "Password for \(access.target): ", variable: "WARD_PASSWORD")
        let (inputs, post) = AsyncStream<UserInput>.makeStream()
        let finished = DispatchSemaphore(value: 0)
        let started = Mutex<ChatClient?>(nil)

        // The first connection: errors before the screen starts end ward with a message.
        let first: Result<Void, any Error> = await Result(catching: {
            try await access.withConnection { connection in
                let (userID, inForce) = try await access.signIn(on: connection, password: password, ask: askAtTerminal)
                let identity = try await ConnectionOptions.deviceIdentity(
                    for: access.target, userID: userID, password: inForce ?? password,
                    on: connection, ask: askAtTerminal)
                let messenger = SecureMessenger(
                    connection: connection, identity: identity, userID: userID,
                    pins: PinnedIdentityFile(account: access.target.description),
                    holdAfterIdentityChange: hold)
                try await messenger.register()
                let who = try await connection.whoami()
                let own = who.users.first
                let me = ChatClient.Me(
                    userID: userID, username: own?.username ?? access.target.user,
                    displayName: own?.displayName ?? access.target.user, role: who.role)
                let shared = SharedScreen(ChatScreen(user: "\(me.displayName) (\(me.role))", server: access.target.server))
                let client = ChatClient(screen: shared, access: access, me: me, device: messenger)
                started.withLock { $0 = client }
                ScreenThread.start(shared, inputs: post, finished: finished)
                Task { for await input in inputs { await client.input(input) } }
                await client.say(
                    "*** Signed in to \(access.target.server) as \(MessageFormat.safe(me.displayName)) (\(me.role)). /help lists the commands.")
                try await client.serve(messenger)
            }
        })
        guard let client = started.withLock({ $0 }) else {
            try first.get()
            return
        }
        await client.lost()

        // Reconnections, until /quit.
        var delay = 1
        while !(await client.quitting) {
            await client.reconnecting(in: delay)
            // Sleep in short steps so that /quit during the wait is prompt.
            for _ in 0..<(delay * 10) where !(await client.quitting) { try? await Task.sleep(for: .milliseconds(100)) }
            if await client.quitting { break }
            await client.setConnection("connecting")
            let attempt: Result<Void, any Error> = await Result(catching: {
                try await access.withConnection { connection in
                    let (userID, _) = try await access.signIn(on: connection, password: nil, ask: client.askAtScreen)
                    guard userID == (await client.me.userID) else { throw UsageError("the server signed in another account") }
                    let messenger = await client.lastDevice.continuing(on: connection)
                    try await messenger.register()
                    try await client.serve(messenger)
                }
            })
            if await client.quitting { break }
            switch attempt {
            case .success:
                delay = 1
                await client.lost()
            case let .failure(error):
                await client.say("*** Reconnecting failed: \(ChatClient.describe(error))")
                delay = min(delay * 2, 30)
            }
        }
        client.screen.stop()
        post.finish()
        finished.wait()
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
