import Foundation
import Synchronization
import WardTerminal

/// What the person did at the screen, for the client to act on.
enum UserInput: Sendable, Equatable {
    /// A line submitted at the input: chat or a command.
    case line(String)
    /// The answer to the prompt the client asked; nil when it was cancelled (Escape, Ctrl-C).
    case answer(String?)
    /// The window in view changed (its room id; empty for the status window).
    case viewing(String)
    /// Ctrl-C, or Ctrl-D on an empty line: asks to quit.
    case interrupt
    /// The terminal is gone: quit without asking.
    case hangUp
}

/// The screen's state, shared by the screen thread (keys, painting) and the client's tasks
/// (events from the server). Every change marks it for repainting.
final class SharedScreen: Sendable {
    private struct State {
        var screen: ChatScreen
        var dirty = true
        var stopped = false
        /// A program to run on the terminal with the screen set aside, and who waits for its status.
        var program: (arguments: [String], done: CheckedContinuation<Int32, Never>)?
    }

    private let state: Mutex<State>

    init(_ screen: ChatScreen) {
        state = Mutex(State(screen: screen))
    }

    @discardableResult
    func update<R>(_ body: (inout ChatScreen) -> R) -> R {
        state.withLock { state in
            state.dirty = true
            return body(&state.screen)
        }
    }

    func read<R>(_ body: (ChatScreen) -> R) -> R { state.withLock { body($0.screen) } }

    /// The frame to paint when something changed since the last one (or when `force`d), and
    /// whether to ring the bell; nil when nothing changed. Taking the frame and clearing the
    /// change mark happen under one lock, so a change made meanwhile is never lost.
    func frameToPaint(width: Int, height: Int, force: Bool) -> (ScreenFrame, bell: Bool)? {
        state.withLock { state in
            guard state.dirty || force else { return nil }
            state.dirty = false
            defer { state.screen.bell = false }
            return (ScreenLayout.frame(of: &state.screen, width: width, height: height), state.screen.bell)
        }
    }

    /// Runs `arguments` on the terminal (an editor), the screen set aside meanwhile and painted
    /// again after; returns its exit status. Only the screen thread touches ncurses, so it runs it.
    func runOnTerminal(_ arguments: [String]) async -> Int32 {
        await withCheckedContinuation { done in
            state.withLock { state in
                state.program?.done.resume(returning: -1)
                state.program = (arguments, done)
            }
        }
    }

    func takeProgram() -> (arguments: [String], done: CheckedContinuation<Int32, Never>)? {
        state.withLock { state in
            defer { state.program = nil }
            return state.program
        }
    }

    func stop() { state.withLock { $0.stopped = true } }
    var stopped: Bool { state.withLock { $0.stopped } }
}

/// The one thread that talks to ncurses: it paints when something changed and turns keys into
/// edits of the shared screen and `UserInput` for the client. A dedicated thread, because
/// waiting for a key blocks, and the cooperative pool has as many threads as cores.
enum ScreenThread {
    /// Starts the thread; `finished` is signalled once the terminal is given back.
    static func start(_ shared: SharedScreen, inputs: AsyncStream<UserInput>.Continuation, finished: DispatchSemaphore) {
        let thread = Thread {
            let terminal = Terminal()
            var mustPaint = true
            while !shared.stopped {
                if let program = shared.takeProgram() {
                    program.done.resume(returning: terminal.runSetAside(program.arguments))
                    terminal.clearAll()
                    mustPaint = true
                }
                let (width, height) = terminal.size
                if let (frame, bell) = shared.frameToPaint(width: width, height: height, force: mustPaint) {
                    terminal.paint(frame, bell: bell)
                }
                mustPaint = false
                let editorIsEmpty = shared.read { $0.editor.characters.isEmpty }
                guard let input = terminal.read(waiting: 50, editorIsEmpty: editorIsEmpty) else {
                    if terminal.hungUp {
                        inputs.yield(.hangUp)
                        break
                    }
                    continue
                }
                mustPaint = true
                switch input {
                case .resize:
                    continue
                case .redraw:
                    terminal.clearAll()
                case .interrupt, .endOfInput:
                    let prompting = shared.update { screen -> Bool in
                        defer { if screen.prompt != nil { screen.prompt = nil; _ = screen.editor.submit(rememberingInHistory: false) } }
                        return screen.prompt != nil
                    }
                    inputs.yield(prompting ? .answer(nil) : .interrupt)
                case let .key(key):
                    let pageRows = max(1, terminal.size.height - 2)
                    let (submitted, prompting, before, after) = shared.update { screen in
                        let before = screen.activeWindow.roomID
                        let prompting = screen.prompt != nil
                        let submitted = screen.press(key, pageRows: pageRows)
                        if prompting && submitted != nil { screen.prompt = nil }
                        return (submitted, prompting, before, screen.activeWindow.roomID)
                    }
                    if before != after { inputs.yield(.viewing(after)) }
                    if let submitted { inputs.yield(prompting ? .answer(submitted) : .line(submitted)) }
                }
            }
            terminal.close()
            shared.takeProgram()?.done.resume(returning: -1)
            finished.signal()
        }
        thread.name = "ward-screen"
        thread.start()
    }
}
