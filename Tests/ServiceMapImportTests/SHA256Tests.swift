import Foundation
import Testing
@testable import ServiceMapImport

/// The file fingerprint recorded with every import run. Expected values are from Python's hashlib;
/// the lengths around 55, 56 and 64 bytes exercise the padding into one or two final blocks.
@Suite("SHA-256 fingerprints")
struct SHA256Tests {
    static func bytes(_ count: Int) -> Data { Data((0..<count).map { UInt8(($0 * 7 + 3) % 256) }) }

    @Test(arguments: [
        (0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        (55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b"),
        (56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27"),
        (63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055"),
        (64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241"),
        (65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e"),
        (119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e"),
        (1000, "1e9bc38cbf860b9ec31918b065f9b52476c549a782e0e7990bed8ce3868d2371"),
    ])
    func matchesKnownDigests(length: Int, expected: String) {
        #expect(SHA256.hex(Self.bytes(length)) == expected)
    }

    @Test func aMillionAs() {
        #expect(SHA256.hex(Data(repeating: UInt8(ascii: "a"), count: 1_000_000))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
