import Testing
import WardAudit

@Suite("Merkle tree and proofs")
struct MerkleTests {
    let leaves: [Hash32] = (0..<70).map { TreeHash.leaf([UInt8($0)]) }

    /// RFC 6962's reference tree of 8 leaves ("", 0x00, 0x10, 0x2021, 0x3031, 0x40414243,
    /// 0x5051525354555657, 0x606162636465666768696a6b6c6d6e6f) has root 5dc9da79….
    @Test func rfc6962ReferenceRoot() {
        let inputs: [[UInt8]] = [
            [], [0x00], [0x10], [0x20, 0x21], [0x30, 0x31], [0x40, 0x41, 0x42, 0x43],
            [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
            [0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f]
        ]
        let hashes = inputs.map { TreeHash.leaf($0) }
        #expect(MerkleProofs.subtreeRoot(hashes, 0..<8).hex == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")
        #expect(MerkleProofs.subtreeRoot(hashes, 0..<1).hex == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
        #expect(TreeHash.empty.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func compactRangeMatchesRecursiveRoot() {
        var range = CompactRange()
        #expect(range.root == TreeHash.empty)
        for (i, leaf) in leaves.enumerated() {
            range.append(leaf: leaf)
            #expect(range.root == MerkleProofs.subtreeRoot(leaves, 0..<(i + 1)))
        }
    }

    @Test func inclusionProofsVerify() throws {
        for size in 1...40 {
            let root = MerkleProofs.subtreeRoot(leaves, 0..<size)
            for index in 0..<size {
                let proof = try MerkleProofs.inclusionProof(index: UInt64(index), size: UInt64(size), leaves: leaves)
                try MerkleProofs.verifyInclusion(leaf: leaves[index], index: UInt64(index), size: UInt64(size), proof: proof, root: root)
                #expect(throws: MerkleProofs.ProofError.self) {
                    try MerkleProofs.verifyInclusion(
                        leaf: leaves[(index + 1) % 70], index: UInt64(index), size: UInt64(size), proof: proof, root: root)
                }
                if !proof.isEmpty {
                    #expect(throws: MerkleProofs.ProofError.self) {
                        try MerkleProofs.verifyInclusion(
                            leaf: leaves[index], index: UInt64(index), size: UInt64(size), proof: Array(proof.dropLast()), root: root)
                    }
                }
            }
        }
    }

    @Test func consistencyProofsVerify() throws {
        for new in 1...40 {
            let newRoot = MerkleProofs.subtreeRoot(leaves, 0..<new)
            for old in 0...new {
                let oldRoot = MerkleProofs.subtreeRoot(leaves, 0..<old)
                let proof = try MerkleProofs.consistencyProof(old: UInt64(old), new: UInt64(new), leaves: leaves)
                try MerkleProofs.verifyConsistency(oldSize: UInt64(old), oldRoot: oldRoot, newSize: UInt64(new), newRoot: newRoot, proof: proof)
                if old > 0 && old < new {
                    #expect(throws: MerkleProofs.ProofError.self) {
                        try MerkleProofs.verifyConsistency(
                            oldSize: UInt64(old), oldRoot: leaves[69], newSize: UInt64(new), newRoot: newRoot, proof: proof)
                    }
                }
            }
        }
    }
}
