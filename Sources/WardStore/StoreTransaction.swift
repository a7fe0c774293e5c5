import GRDB

/// One write to the store, as the server composes it: the operations it calls on this value
/// (`book`, `addNotifications`, `appendMessage`, …) are committed together or not at all, in the
/// next group commit (`WardDatabase.write`). The server names what it does; only WardStore
/// knows it is SQL, so another backend can offer the same operations.
public struct StoreTransaction {
    let db: Database
}
