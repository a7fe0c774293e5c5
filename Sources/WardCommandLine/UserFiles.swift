public import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// Where the command-line tools keep a person's files (sessions, pinned servers, device keys):
/// `$WARD_CONFIG_DIR`, else `$XDG_CONFIG_HOME/ward`, else `$HOME/.config/ward` (the XDG Base
/// Directory rules: an empty or relative value counts as unset), the account's home directory
/// when `$HOME` is unset; created 0700. `ward` and `wardctl` both keep their files here.
public enum UserFiles {
    public static var directory: String {
        directory(in: ProcessInfo.processInfo.environment)
    }

    static func directory(in environment: [String: String]) -> String {
        func absolute(_ name: String) -> String? { environment[name].flatMap { $0.hasPrefix("/") ? $0 : nil } }
        if let explicit = environment["WARD_CONFIG_DIR"], !explicit.isEmpty { return explicit }
        if let xdg = absolute("XDG_CONFIG_HOME") { return xdg + "/ward" }
        return (absolute("HOME") ?? NSHomeDirectory()) + "/.config/ward"
    }

    /// Writes `data` to `name` in the directory, mode 0600, replacing it atomically.
    public static func writePrivate(_ data: Data, to name: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try writePrivate(data, atPath: directory + "/" + name)
    }

    /// Writes `data` to `path`, mode 0600 from the start, replacing any file there atomically
    /// (for files that hold secrets or personal data, such as exports).
    public static func writePrivate(_ data: Data, atPath path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]),
            rename(temporary, path) == 0
        else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw UsageError("cannot write \(path)")
        }
    }

    public static func read(_ name: String) -> Data? {
        FileManager.default.contents(atPath: directory + "/" + name)
    }
}

/// Reads a secret from the terminal without echo, or from `variable` when it is set (scripts).
public func readSecret(prompt: String, variable: String) throws -> String {
    if let value = ProcessInfo.processInfo.environment[variable] { return value }
    guard let pointer = getpass(prompt) else { throw UsageError("cannot read a password (no terminal); set \(variable)") }
    return String(cString: pointer)
}
