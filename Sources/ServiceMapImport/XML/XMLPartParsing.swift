import Foundation
import ServiceMapCore

extension ZipPackage {
    /// Streams a part through an `XMLTokenizer`, handing every start, end and text token to `handle`
    /// (with the tokenizer, whose ranges are valid only during the call).
    func parseXML(_ part: String, _ handle: (XMLTokenizer, XMLEvent) throws -> Void) throws {
        let tokenizer = XMLTokenizer(partName: part)
        func drain() throws {
            while true {
                let event = try tokenizer.next()
                switch event {
                case .needMore, .done: return
                default: try handle(tokenizer, event)
                }
            }
        }
        do {
            try stream(part) { chunk in
                tokenizer.feed(chunk)
                try drain()
            }
            tokenizer.finish()
            try drain()
        } catch var failure as ImportFailure {
            if failure.location == nil { failure.location = SourceLocation(file: path) }
            throw failure
        }
    }
}
