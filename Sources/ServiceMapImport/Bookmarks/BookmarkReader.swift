import Foundation
import ServiceMapCore

/// Reads Netscape bookmark HTML. (Being written: see issue 3.)
public struct BookmarkReader {
    let path: String
    public init(path: String, options: ImportOptions) { self.path = path }
    public func read() throws -> GraphFragment {
        throw ImportFailure(.wrongFileType, "bookmark reading is not available in this build yet", at: SourceLocation(file: path))
    }
}
