import CSodium

/// libsodium must be initialised once before use; `sodium_init` is idempotent and thread-safe,
/// and a global `let` runs it exactly once, on first use.
private let sodiumStatus: Int32 = sodium_init()

/// Ensures libsodium is initialised. Every public entry point that calls libsodium calls this.
@inline(__always)
func requireSodium() {
    // sodium_init returns 0 on success, 1 if already initialised and -1 on failure. Failure
    // means the process cannot get randomness: continuing would be unsafe, so stop here.
    precondition(sodiumStatus >= 0, "libsodium failed to initialise (no randomness source)")
}
