import GRDB

/// The backup bench's reference: SQLite's own online backup API with its defaults, called
/// through GRDB as any program would, not through Ward's store (whose copy is part of what the
/// bench measures). The one place outside WardStore that imports GRDB (SourceShapeTests).
enum SQLiteReference {
    static func backup(_ source: String, to destination: String) throws {
        try DatabasePool(path: source).backup(to: DatabaseQueue(path: destination))
    }
}
