/// Where the log ends: all the next entry needs to follow it. How many entries there are (the
/// next one's `seq`), the last one's leaf hash (the next one's `previous`, audit/FORMAT.md §4)
/// and time (time never goes back along the log), and the compact range of the Merkle tree over
/// them (§5). The tree index finds it when it resumes, recovery finishes it (§9.3), and the
/// writer carries it on.
struct LogEnd {
    var size: UInt64 = 0
    var lastLeaf: Hash32 = .zero
    var lastTime: UInt64 = 0
    var tree = CompactRange()

    /// Moves the end past one more entry, whose leaf hash is `leaf`; `completed` is given every
    /// node of the tree the entry completes (the tree index stores them).
    mutating func append(leaf: Hash32, completed: (Hash32, Int) -> Void) {
        tree.append(leaf: leaf, completed: completed)
        lastLeaf = leaf
        size += 1
    }
}
