/// The right edge of a Merkle tree being built leaf by leaf: the roots of the perfect subtrees
/// that make up the first `size` leaves, largest first. It holds at most 64 hashes, appends in
/// amortised one node hash per leaf, and gives the RFC 6962 root of the current size.
public struct CompactRange: Sendable, Equatable {
    /// (root, height) of each perfect subtree, left to right; heights strictly decrease.
    private(set) var subtrees: [(hash: Hash32, height: Int)] = []
    /// Number of leaves covered.
    public private(set) var size: UInt64 = 0

    public init() {}

    /// Appends one leaf hash.
    public mutating func append(leaf: Hash32) {
        append(subtree: leaf, height: 0)
    }

    /// Appends one leaf hash and tells `completed` of every perfect subtree the leaf completes
    /// (its root and height, lowest first): what the tree index stores (audit/FORMAT.md §9.4).
    mutating func append(leaf: Hash32, completed: (Hash32, Int) -> Void) {
        append(subtree: leaf, height: 0, completed: completed)
    }

    /// Appends the root of a perfect subtree of `2^height` leaves. The current size must be a
    /// multiple of `2^height` (the subtree is aligned), as it is when whole chunks are appended.
    public mutating func append(subtree hash: Hash32, height: Int) {
        append(subtree: hash, height: height) { _, _ in }
    }

    private mutating func append(subtree hash: Hash32, height: Int, completed: (Hash32, Int) -> Void) {
        precondition(size % (UInt64(1) << UInt64(height)) == 0, "unaligned subtree")
        var hash = hash, height = height
        size += UInt64(1) << UInt64(height)
        while let last = subtrees.last, last.height == height {
            subtrees.removeLast()
            hash = TreeHash.node(last.hash, hash)
            height += 1
            completed(hash, height)
        }
        subtrees.append((hash, height))
    }

    /// The root of the tree of the first `size` leaves (`SHA-256("")` when empty).
    public var root: Hash32 {
        CompactRange.fold(subtrees.map(\.hash)) ?? TreeHash.empty
    }

    /// Combines the roots of a tree's perfect subtrees (largest first) into its root, right to
    /// left, which is what RFC 6962's split at the largest power of two amounts to.
    static func fold(_ roots: [Hash32]) -> Hash32? {
        guard var accumulator = roots.last else { return nil }
        for hash in roots.dropLast().reversed() { accumulator = TreeHash.node(hash, accumulator) }
        return accumulator
    }

    public static func == (a: CompactRange, b: CompactRange) -> Bool {
        a.size == b.size && a.subtrees.map(\.hash) == b.subtrees.map(\.hash)
    }
}
