import Dispatch

/// Leaf hashes and perfect-subtree hashes of one aligned chunk of 2^height leaves, computed by
/// several threads at once. Together with a `CompactRange` over the chunks before it, it gives
/// the tree root at any size inside the chunk without hashing anything twice.
final class ChunkTree {
    let height: Int
    var capacity: Int { 1 << height }
    /// levels[k][j] is the root of leaves [j·2^k, (j+1)·2^k) of this chunk, for complete pairs.
    private var levels: [UnsafeMutableBufferPointer<Hash32>]
    private(set) var counts: [Int]

    init(height: Int) {
        self.height = height
        levels = (0...height).map { UnsafeMutableBufferPointer<Hash32>.allocate(capacity: 1 << (height - $0)) }
        counts = Array(repeating: 0, count: height + 1)
    }

    deinit {
        for level in levels { level.deallocate() }
    }

    /// Leaf storage for the caller to fill (count leaves) before `build(count:workers:)`.
    var leaves: UnsafeMutableBufferPointer<Hash32> { levels[0] }

    /// Fills and builds the levels for `count` leaves.
    ///
    /// The leaves are split into `blocks` aligned blocks (a power of two); one task per block
    /// calls `fill` for its leaves and builds the levels inside the block. With `threads` > 1 the
    /// tasks, and `alongside` (work that can overlap, such as reading the next chunk), are handed
    /// to `concurrentPerform`, which gives each thread the next task as it frees up; with 1 they
    /// run in turn on the caller. The few nodes above the blocks are built last.
    func build(count: Int, blocks: Int, threads: Int, alongside: (() -> Void)? = nil, perBlock fill: @escaping (Range<Int>) -> Void) {
        counts[0] = count
        for k in 1...height { counts[k] = counts[k - 1] / 2 }
        let blockHeight = height - blocks.trailingZeroBitCount
        // Each task writes only its own block's indices, so sharing the buffers is race-free.
        let shared = UncheckedSendable((levels: self.levels, fill: fill, alongside: alongside))
        let counts = self.counts
        let extra = alongside == nil ? 0 : 1
        let task: @Sendable (Int) -> Void = { index in
            let (levels, fill, alongside) = shared.value
            if index < extra {
                alongside?()
                return
            }
            let w = index - extra
            let lo = w << blockHeight
            let hi = min(count, (w + 1) << blockHeight)
            guard lo < hi else { return }
            fill(lo..<hi)
            guard blockHeight > 0 else { return }
            for k in 1...blockHeight {
                let start = lo >> k, end = min((w + 1) << (blockHeight - k), counts[k])
                var j = start
                while j < end {
                    levels[k][j] = TreeHash.node(levels[k - 1][2 * j], levels[k - 1][2 * j + 1])
                    j += 1
                }
            }
        }
        if threads > 1 {
            DispatchQueue.concurrentPerform(iterations: blocks + extra, execute: task)
        } else {
            for index in 0..<(blocks + extra) { task(index) }
        }
        if blockHeight < height {
            for k in (blockHeight + 1)...height {
                for j in 0..<counts[k] { levels[k][j] = TreeHash.node(levels[k - 1][2 * j], levels[k - 1][2 * j + 1]) }
            }
        }
    }

    /// The perfect-subtree roots (largest first) that make up the first `prefix` leaves.
    func decomposition(of prefix: Int) -> [Hash32] {
        var roots: [Hash32] = []
        var offset = 0
        for k in stride(from: height, through: 0, by: -1) where prefix & (1 << k) != 0 {
            roots.append(levels[k][offset >> k])
            offset += 1 << k
        }
        return roots
    }

    /// The root of the whole chunk (only when it is full).
    var fullRoot: Hash32 { levels[height][0] }
}

/// Hands values that are not `Sendable` to `concurrentPerform` workers that touch disjoint
/// parts of them. Use only where that disjointness holds.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
