import Testing
@testable import WardCommandLine

/// Where `ward` and `wardctl` keep their files: WARD_CONFIG_DIR, else the XDG Base Directory
/// rules (issue 20: wardctl once ignored $HOME and $XDG_CONFIG_HOME).
@Suite("The command-line tools' files")
struct UserFilesTests {
    @Test func theConfigDirectoryFollowsTheEnvironment() {
        #expect(UserFiles.directory(in: ["WARD_CONFIG_DIR": "/w", "XDG_CONFIG_HOME": "/x", "HOME": "/h"]) == "/w")
        #expect(UserFiles.directory(in: ["WARD_CONFIG_DIR": "", "XDG_CONFIG_HOME": "/x", "HOME": "/h"]) == "/x/ward")
        #expect(
            UserFiles.directory(in: ["XDG_CONFIG_HOME": "relative/path", "HOME": "/h"]) == "/h/.config/ward", "a relative XDG path counts as unset")
        #expect(UserFiles.directory(in: ["XDG_CONFIG_HOME": "", "HOME": "/home/ann"]) == "/home/ann/.config/ward")
        #expect(UserFiles.directory(in: [:]).hasSuffix("/.config/ward"), "the account's home when HOME is unset")
    }
}
