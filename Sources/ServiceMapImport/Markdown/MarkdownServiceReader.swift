import Foundation
import ServiceMapCore

/// Reads Markdown service descriptions. (Being written: see issue 3.)
public struct MarkdownServiceReader {
    let path: String
    public init(path: String, options: ImportOptions) { self.path = path }
    public func read() throws -> GraphFragment {
        throw ImportFailure(.wrongFileType, "Markdown reading is not available in this build yet", at: SourceLocation(file: path))
    }
}
