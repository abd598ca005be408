import CHeapRelease
import Testing

/// The import's two calls into the C library must reach glibc: compiled without it, they would
/// quietly do nothing, and a large import would take 50 MB more memory without any test failing.
@Suite("Handing memory back between an import's steps")
struct HeapReleaseTests {
    #if os(Linux)
    @Test func bothCallsReachGlibc() {
        #expect(servicemap_map_large_blocks_apart() == 1)
        // 25 MB of small blocks, freed: their pages go back to the system. (Tried a few times: an
        // import in a test running beside this one may hand them back first.)
        let released = (0..<5).contains { _ in
            let blocks = (0..<100_000).map { _ in UnsafeMutableRawPointer.allocate(byteCount: 256, alignment: 16) }
            for block in blocks { block.storeBytes(of: 1, as: UInt8.self) }
            for block in blocks { block.deallocate() }
            return servicemap_release_free_heap() == 1
        }
        #expect(released)
    }
    #endif
}
