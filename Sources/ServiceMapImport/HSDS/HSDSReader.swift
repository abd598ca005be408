import Foundation
import ServiceMapCore

/// Reads Open Referral HSDS data. (Being written: see issue 3.)
public struct HSDSReader {
    let path: String
    public init(path: String, options: ImportOptions) { self.path = path }
    public func readJSON() throws -> GraphFragment {
        throw ImportFailure(.wrongFileType, "HSDS reading is not available in this build yet", at: SourceLocation(file: path))
    }
    public func readPackage() throws -> GraphFragment { try readJSON() }
}
