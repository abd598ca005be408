import Foundation
import ServiceMapCore

/// Reads .ods spreadsheets. (Being written: see issue 3.)
public struct ODSReader: TableReader {
    public init(path: String, limits: ReaderLimits) throws {
        throw ImportFailure(.wrongFileType, "ods reading is not available in this build yet", at: SourceLocation(file: path))
    }
    public var usesCellLocations: Bool { true }
    public func sheets() throws -> [SheetInfo] { [] }
    public func forEachRow(in sheet: SheetInfo, diagnostics: inout [Diagnostic], _ body: (Row) throws -> Void) throws {}
}
