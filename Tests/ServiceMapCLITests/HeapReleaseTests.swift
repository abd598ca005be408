import CHeapRelease
import Testing

/// The import's two calls into the C library must reach glibc: compiled without it, they would
/// quietly do nothing, and a large import would take 50 MB more memory without any test failing.
@Suite("Handing memory back between an import's steps")
struct HeapReleaseTests {
    #if os(Linux)
    @Test func bothCallsReachGlibc() {
        #expect(servicemap_map_large_blocks_apart() == 1)
        // 25 MB of small blocks, freed: their pages go back to the system.
        let blocks = (0..<100_000).map { _ in UnsafeMutableRawPointer.allocate(byteCount: 256, alignment: 16) }
        for block in blocks { block.storeBytes(of: 1, as: UInt8.self) }
        for block in blocks { block.deallocate() }
        #expect(servicemap_release_free_heap() == 1)
    }
    #endif
}
