import Foundation
import Testing
@testable import ServiceMapImport

@Suite("Texts that recur from row to row")
struct RepeatedTextsTests {
    private func storage(_ text: String) -> UnsafeRawPointer? {
        var text = text
        return text.withUTF8 { UnsafeRawPointer($0.baseAddress) }
    }

    @Test func aRecurringTextIsOneString() {
        var texts = RepeatedTexts()
        let bytes = Array("Greater Glasgow and Clyde".utf8)
        let first = bytes.withUnsafeBufferPointer { texts.string($0) }
        let again = bytes.withUnsafeBufferPointer { texts.string($0) }
        #expect(first == "Greater Glasgow and Clyde" && again == first)
        #expect(storage(first) == storage(again))
        // A String made elsewhere with the same bytes is swapped for the one already held.
        let made = String(decoding: bytes, as: UTF8.self)
        #expect(storage(made) != storage(first))
        #expect(storage(texts.shared(made)) == storage(first))
    }

    @Test func textsAreKeptByteForByte() {
        var texts = RepeatedTexts()
        // The same words, composed and decomposed: equal as Strings, different as bytes.
        let composed = "Café Family Support, Govan", decomposed = "Cafe\u{301} Family Support, Govan"
        let a = texts.shared(composed), b = texts.shared(decomposed)
        #expect(Array(a.utf8) == Array(composed.utf8))
        #expect(Array(b.utf8) == Array(decomposed.utf8))
        // Short texts live inside their String; long ones are not looked up. Both come back as given.
        for text in ["Bromley", "", String(repeating: "a long description of a service ", count: 10)] {
            #expect(Array(text.utf8).withUnsafeBufferPointer { texts.string($0) } == text)
            #expect(texts.shared(text) == text)
        }
        // Many different texts only replace one another: each still reads back as itself.
        for n in 0..<10_000 {
            let text = "Synthetic service number \(n)"
            #expect(Array(text.utf8).withUnsafeBufferPointer { texts.string($0) } == text)
        }
    }
}
