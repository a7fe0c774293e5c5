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
        guard index < size, size <= UInt64(leaves.count) else { throw ProofError.indexOutOfRange(index: index, size: size) }
        return path(Int(index), leaves, 0..<Int(size))
    }

    private static func path(_ m: Int, _ leaves: [Hash32], _ range: Range<Int>) -> [Hash32] {
        let n = range.count
        if n <= 1 { return [] }
        let k = largestPowerOfTwo(below: n)
        let split = range.lowerBound + k
        if m < k {
            return path(m, leaves, range.lowerBound..<split) + [subtreeRoot(leaves, split..<range.upperBound)]
        }
        return path(m - k, leaves, split..<range.upperBound) + [subtreeRoot(leaves, range.lowerBound..<split)]
    }

    /// PROOF(old, D[0..<new]): the consistency proof between tree sizes `old` and `new`.
    public static func consistencyProof(old: UInt64, new: UInt64, leaves: [Hash32]) throws -> [Hash32] {
        guard old <= new else { throw ProofError.sizesOutOfOrder(old: old, new: new) }
        guard new <= UInt64(leaves.count) else { throw ProofError.indexOutOfRange(index: new, size: UInt64(leaves.count)) }
        if old == 0 || old == new { return [] }
        return subproof(Int(old), leaves, 0..<Int(new), true)
    }

    private static func subproof(_ m: Int, _ leaves: [Hash32], _ range: Range<Int>, _ complete: Bool) -> [Hash32] {
        let n = range.count
        if m == n { return complete ? [] : [subtreeRoot(leaves, range)] }
        let k = largestPowerOfTwo(below: n)
        let split = range.lowerBound + k
        if m <= k {
            return subproof(m, leaves, range.lowerBound..<split, complete) + [subtreeRoot(leaves, split..<range.upperBound)]
        }
        return subproof(m - k, leaves, split..<range.upperBound, false) + [subtreeRoot(leaves, range.lowerBound..<split)]
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
