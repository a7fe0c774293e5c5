/// A Merkle tree that can give the root of any of its perfect subtrees: leaf hashes in memory,
/// or the stored tree index (audit/FORMAT.md §9.4), which answers with a few reads.
public protocol PerfectSubtrees {
    /// The root of leaves [index·2^height, (index+1)·2^height).
    func perfectSubtree(height: Int, index: UInt64) throws -> Hash32
}

/// Leaf hashes in memory: each perfect subtree is hashed from its leaves.
struct LeafArray: PerfectSubtrees {
    let leaves: [Hash32]

    func perfectSubtree(height: Int, index: UInt64) throws -> Hash32 {
        let start = Int(index) << height
        return MerkleProofs.subtreeRoot(leaves, start..<(start + (1 << height)))
    }
}

/// Inclusion and consistency proofs (RFC 9162 §2.1.3 and §2.1.4): generation from a list of leaf
/// hashes, and verification from the proof alone.
public enum MerkleProofs {
    /// Errors in proof generation or verification, each saying what does not hold.
    public enum ProofError: Error, Equatable, Sendable, CustomStringConvertible {
        case indexOutOfRange(index: UInt64, size: UInt64)
        case sizesOutOfOrder(old: UInt64, new: UInt64)
        case wrongLength(expected: Int, actual: Int)
        case rootMismatch

        public var description: String {
            switch self {
            case let .indexOutOfRange(index, size): return "entry \(index) is not in a tree of size \(size)"
            case let .sizesOutOfOrder(old, new): return "old size \(old) is larger than new size \(new)"
            case let .wrongLength(expected, actual): return "proof has \(actual) hashes, expected \(expected)"
            case .rootMismatch: return "the proof does not lead to the expected root"
            }
        }
    }

    // MARK: - Generation over leaf hashes (RFC 9162 §2.1.1, §2.1.3.1, §2.1.4.1)

    /// MTH(D[lo..<hi]) over leaf hashes.
    public static func subtreeRoot(_ leaves: [Hash32], _ range: Range<Int>) -> Hash32 {
        let n = range.count
        if n == 0 { return TreeHash.empty }
        if n == 1 { return leaves[range.lowerBound] }
        let k = largestPowerOfTwo(below: n)
        return TreeHash.node(
            subtreeRoot(leaves, range.lowerBound..<(range.lowerBound + k)),
            subtreeRoot(leaves, (range.lowerBound + k)..<range.upperBound)
        )
    }

    /// PATH(m, D[0..<size]): the inclusion proof of leaf `index` in the tree of `size` leaves.
    public static func inclusionProof(index: UInt64, size: UInt64, leaves: [Hash32]) throws -> [Hash32] {
        guard size <= UInt64(leaves.count) else { throw ProofError.indexOutOfRange(index: index, size: size) }
        return try inclusionProof(index: index, size: size, tree: LeafArray(leaves: leaves))
    }

    /// PATH(m, D[0..<size]) over any tree that can give its perfect subtrees' roots.
    public static func inclusionProof(index: UInt64, size: UInt64, tree: some PerfectSubtrees) throws -> [Hash32] {
        guard index < size else { throw ProofError.indexOutOfRange(index: index, size: size) }
        return try path(index, tree, 0..<size)
    }

    private static func path(_ m: UInt64, _ tree: some PerfectSubtrees, _ range: Range<UInt64>) throws -> [Hash32] {
        let n = range.upperBound - range.lowerBound
        if n <= 1 { return [] }
        let k = UInt64(largestPowerOfTwo(below: Int(n)))
        let split = range.lowerBound + k
        if m < k {
            return try path(m, tree, range.lowerBound..<split) + [root(tree, split..<range.upperBound)]
        }
        return try path(m - k, tree, split..<range.upperBound) + [root(tree, range.lowerBound..<split)]
    }

    /// PROOF(old, D[0..<new]): the consistency proof between tree sizes `old` and `new`.
    public static func consistencyProof(old: UInt64, new: UInt64, leaves: [Hash32]) throws -> [Hash32] {
        guard new <= UInt64(leaves.count) else { throw ProofError.indexOutOfRange(index: new, size: UInt64(leaves.count)) }
        return try consistencyProof(old: old, new: new, tree: LeafArray(leaves: leaves))
    }

    /// PROOF(old, D[0..<new]) over any tree that can give its perfect subtrees' roots.
    public static func consistencyProof(old: UInt64, new: UInt64, tree: some PerfectSubtrees) throws -> [Hash32] {
        guard old <= new else { throw ProofError.sizesOutOfOrder(old: old, new: new) }
        if old == 0 || old == new { return [] }
        return try subproof(old, tree, 0..<new, true)
    }

    private static func subproof(_ m: UInt64, _ tree: some PerfectSubtrees, _ range: Range<UInt64>, _ complete: Bool) throws -> [Hash32] {
        let n = range.upperBound - range.lowerBound
        if m == n { return complete ? [] : [try root(tree, range)] }
        let k = UInt64(largestPowerOfTwo(below: Int(n)))
        let split = range.lowerBound + k
        if m <= k {
            return try subproof(m, tree, range.lowerBound..<split, complete) + [root(tree, split..<range.upperBound)]
        }
        return try subproof(m - k, tree, split..<range.upperBound, false) + [root(tree, range.lowerBound..<split)]
    }

    /// MTH of a node of the RFC 9162 tree: `range` starts at a multiple of the largest power of
    /// two not above its length, as every range the proofs ask for does, so it splits into at
    /// most 64 perfect subtrees, largest first.
    public static func root(_ tree: some PerfectSubtrees, _ range: Range<UInt64>) throws -> Hash32 {
        var roots: [Hash32] = []
        var start = range.lowerBound
        var remaining = range.upperBound - range.lowerBound
        while remaining > 0 {
            let height = 63 - remaining.leadingZeroBitCount
            roots.append(try tree.perfectSubtree(height: height, index: start >> UInt64(height)))
            start += UInt64(1) << UInt64(height)
            remaining -= UInt64(1) << UInt64(height)
        }
        return CompactRange.fold(roots) ?? TreeHash.empty
    }

    /// The largest power of two strictly smaller than `n` (n ≥ 2).
    static func largestPowerOfTwo(below n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    // MARK: - Verification (RFC 9162 §2.1.3.2 and §2.1.4.2)

    /// Computes the root that an inclusion proof leads to, following RFC 9162 §2.1.3.2.
    public static func rootFromInclusionProof(leaf: Hash32, index: UInt64, size: UInt64, proof: [Hash32]) throws -> Hash32 {
        guard index < size else { throw ProofError.indexOutOfRange(index: index, size: size) }
        var fn = index, sn = size - 1
        var r = leaf
        for p in proof {
            guard sn != 0 else { throw ProofError.wrongLength(expected: proof.count - 1, actual: proof.count) }
            if fn & 1 == 1 || fn == sn {
                r = TreeHash.node(p, r)
                if fn & 1 == 0 {
                    repeat { fn >>= 1; sn >>= 1 } while fn & 1 == 0 && fn != 0
                }
            } else {
                r = TreeHash.node(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw ProofError.wrongLength(expected: proof.count + 1, actual: proof.count) }
        return r
    }

    /// Verifies an inclusion proof against a known root.
    public static func verifyInclusion(leaf: Hash32, index: UInt64, size: UInt64, proof: [Hash32], root: Hash32) throws {
        guard try rootFromInclusionProof(leaf: leaf, index: index, size: size, proof: proof) == root else {
            throw ProofError.rootMismatch
        }
    }

    /// Verifies a consistency proof between (oldSize, oldRoot) and (newSize, newRoot) following
    /// RFC 9162 §2.1.4.2.
    public static func verifyConsistency(oldSize: UInt64, oldRoot: Hash32, newSize: UInt64, newRoot: Hash32, proof: [Hash32]) throws {
        guard oldSize <= newSize else { throw ProofError.sizesOutOfOrder(old: oldSize, new: newSize) }
        if oldSize == newSize {
            guard proof.isEmpty else { throw ProofError.wrongLength(expected: 0, actual: proof.count) }
            guard oldRoot == newRoot else { throw ProofError.rootMismatch }
            return
        }
        if oldSize == 0 {
            guard proof.isEmpty else { throw ProofError.wrongLength(expected: 0, actual: proof.count) }
            guard oldRoot == TreeHash.empty else { throw ProofError.rootMismatch }
            return
        }
        guard !proof.isEmpty else { throw ProofError.wrongLength(expected: 1, actual: 0) }
        var path = proof
        // Step 2: if the old size is a power of two, the old root is the first node of the path.
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: 0) }
        var fn = oldSize - 1, sn = newSize - 1
        // Step 4: shift right while the lowest bit of fn is set.
        while fn & 1 == 1 { fn >>= 1; sn >>= 1 }
        var fr = path[0], sr = path[0]
        for c in path.dropFirst() {
            guard sn != 0 else { throw ProofError.wrongLength(expected: path.count - 1, actual: path.count) }
            if fn & 1 == 1 || fn == sn {
                fr = TreeHash.node(c, fr)
                sr = TreeHash.node(c, sr)
                if fn & 1 == 0 {
                    repeat { fn >>= 1; sn >>= 1 } while fn & 1 == 0 && fn != 0
                }
            } else {
                sr = TreeHash.node(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw ProofError.wrongLength(expected: path.count + 1, actual: path.count) }
        guard fr == oldRoot, sr == newRoot else { throw ProofError.rootMismatch }
    }
}
