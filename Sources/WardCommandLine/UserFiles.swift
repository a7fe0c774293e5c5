public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where the command-line tools keep a person's files (sessions, pinned servers, device keys):
/// `$WARD_CONFIG_DIR`, else `$XDG_CONFIG_HOME/ward`, else `~/.config/ward`; created 0700.
public enum UserFiles {
    public static var directory: String {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["WARD_CONFIG_DIR"] { return explicit }
        if let xdg = environment["XDG_CONFIG_HOME"] { return xdg + "/ward" }
        return NSHomeDirectory() + "/.config/ward"
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
              rename(temporary, path) == 0 else {
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
