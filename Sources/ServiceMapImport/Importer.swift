import Foundation
import ServiceMapCore

/// Options that change how files are read.
public struct ImportOptions: Sendable {
    /// Header synonyms and overrides from a mapping file (YAML), applied to every table.
    public var mapping: ColumnMapping
    /// Limits against hostile files (zip bombs, entity bombs, absurd repeat counts).
    public var limits: ReaderLimits

    public init(mapping: ColumnMapping = ColumnMapping(), limits: ReaderLimits = ReaderLimits()) {
        self.mapping = mapping
        self.limits = limits
    }
}

/// Bounds that keep a hostile or broken file from exhausting memory or time.
public struct ReaderLimits: Sendable {
    /// Largest uncompressed size of one zip entry.
    public var maxEntryBytes: UInt64 = 512 << 20
    /// Largest uncompressed size of all entries read from one archive.
    public var maxTotalBytes: UInt64 = 1 << 30
    /// Largest ratio of uncompressed to compressed size for an entry over 1 MiB.
    public var maxCompressionRatio: UInt64 = 200
    /// Most cells one sheet may produce (after expanding repeats).
    public var maxCellsPerSheet: Int = 20_000_000
    /// Largest column number accepted (XFD = 16,384 in Excel; ODS allows 16,384 too in practice).
    public var maxColumns: Int = 16_384
    /// Largest row number accepted.
    public var maxRows: Int = 1_048_576

    public init() {}
}

/// The kinds of file servicemap reads, decided by extension and confirmed by content.
public enum InputFormat: String, Sendable, CaseIterable {
    case xlsx, ods, csv, bookmarks, markdown, hsdsJSON = "hsds-json", hsdsPackage = "hsds-package", mapping

    /// The format a path's name says, or nil for files servicemap does not read.
    public static func forPath(_ path: String) -> InputFormat? {
        let name = (path as NSString).lastPathComponent.lowercased()
        if name.hasPrefix(".") || name.hasPrefix("~$") { return nil }  // editor lock and hidden files
        if name == "readme.md" { return nil }
        if name == "mapping.yaml" || name == "mapping.yml" || name.hasSuffix(".mapping.yaml") { return .mapping }
        if name == "datapackage.json" { return .hsdsPackage }
        switch (name as NSString).pathExtension {
        case "xlsx", "xlsm": return .xlsx
        case "ods": return .ods
        case "csv", "tsv", "tab", "psv": return .csv
        case "html", "htm": return .bookmarks
        case "md", "markdown": return .markdown
        case "json": return .hsdsJSON
        default: return nil
        }
    }
}

/// Everything one import read: the fragments of every file and the files themselves.
public struct ImportResult: Sendable {
    public var fragment: GraphFragment
    /// The files read, with a content hash each, in the order read.
    public var files: [ImportedFile]
}

public struct ImportedFile: Hashable, Sendable, Codable {
    public var path: String
    public var format: String
    public var sha256: String
    public var records: Int
}

/// Reads input files and directories into graph fragments. Never throws for bad data: every
/// problem becomes a diagnostic in the fragment.
public struct Importer: Sendable {
    public var options: ImportOptions

    public init(options: ImportOptions = ImportOptions()) {
        self.options = options
    }

    /// Expands directories (recursively, sorted by path so runs are deterministic) into files.
    public static func inputFiles(_ paths: [String]) -> [String] {
        var files: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                files.append(path)  // reported as unreadable when read
                continue
            }
            if isDirectory.boolValue {
                let base = path.hasSuffix("/") ? String(path.dropLast()) : path
                let children = (fm.subpaths(atPath: path) ?? []).sorted()
                // A folder with a datapackage.json is one HSDS package, not loose CSVs.
                let packages = Set(children.filter { ($0 as NSString).lastPathComponent == "datapackage.json" }
                    .map { ($0 as NSString).deletingLastPathComponent })
                for child in children {
                    let full = base + "/" + child
                    let dir = (child as NSString).deletingLastPathComponent
                    let inPackage = packages.contains { dir == $0 || (!$0.isEmpty && dir.hasPrefix($0 + "/")) || $0.isEmpty }
                    if inPackage && (child as NSString).lastPathComponent != "datapackage.json" { continue }
                    var childIsDir: ObjCBool = false
                    if fm.fileExists(atPath: full, isDirectory: &childIsDir), !childIsDir.boolValue,
                       InputFormat.forPath(full) != nil
                    {
                        files.append(full)
                    }
                }
            } else {
                files.append(path)
            }
        }
        return files
    }

    /// Reads every file under `paths`. A mapping file found among them applies to the rest.
    public func read(_ paths: [String]) -> ImportResult {
        let files = Self.inputFiles(paths)
        var options = self.options
        var fragment = GraphFragment()
        for file in files where InputFormat.forPath(file) == .mapping {
            switch ColumnMapping.load(path: file) {
            case .success(let mapping): options.mapping = options.mapping.merged(with: mapping)
            case .failure(let failure): fragment.diagnostics.append(failure.diagnostic)
            }
        }
        let readable = files.filter { InputFormat.forPath($0) != .mapping }
        // Files are independent until assembly: read them in parallel, keep the results in path order.
        // The largest is read on this thread and the rest beside it. glibc's malloc keeps memory in
        // the arena of the thread that allocated it, and the graph is built on this thread from the
        // records read, freeing them as it goes: read on another thread, the freed records could
        // not be reused for the graph, and a 100,000-service import peaked 35 MB higher.
        let reader = Importer(options: options)
        let sizes = readable.map(Self.fileSize)
        let largest = sizes.indices.max { sizes[$0] < sizes[$1] }
        var results: [(fragment: GraphFragment, hash: String)] = []
        if let largest {
            let others = readable.indices.filter { $0 != largest }
            let (rest, read) = ParallelMap.both({ ParallelMap.map(others) { reader.readFile(readable[$0]) } }) {
                reader.readFile(readable[largest])
            }
            results = Array(rest)
            results.insert(read, at: largest)
        }
        var imported: [ImportedFile] = []
        for (path, result) in zip(readable, results) {
            fragment.append(result.fragment)
            imported.append(ImportedFile(path: path, format: InputFormat.forPath(path)?.rawValue ?? "unknown",
                                         sha256: result.hash, records: result.fragment.recordCount))
        }
        return ImportResult(fragment: fragment, files: imported)
    }

    private static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Reads one file of any supported format.
    public func readFile(_ path: String) -> (fragment: GraphFragment, hash: String) {
        guard let format = InputFormat.forPath(path) else {
            var fragment = GraphFragment()
            fragment.diagnostics.append(.error(.wrongFileType, "servicemap does not read this kind of file", at: SourceLocation(file: path)))
            return (fragment, "")
        }
        // The file's hash needs only its bytes: it is worked out beside the reading, which for a
        // large sheet it would otherwise add a tenth to. Both read the file a block at a time.
        let hashed: @Sendable () -> String = { (try? SHA256.hexOfFile(path)) ?? "" }
        let read = { try self.read(format: format, path: path) }
        let (hash, fragment) = ParallelMap.both(hashed) { self.readFragment(path: path, read) }
        return (fragment, hash)
    }

    /// One file's records, or the diagnostic that says why it could not be read.
    private func readFragment(path: String, _ read: () throws -> GraphFragment) -> GraphFragment {
        do {
            return try read()
        } catch let failure as ImportFailure {
            var fragment = GraphFragment()
            var diagnostic = failure.diagnostic
            if diagnostic.location == nil { diagnostic.location = SourceLocation(file: path) }
            fragment.diagnostics.append(diagnostic)
            return fragment
        } catch {
            var fragment = GraphFragment()
            fragment.diagnostics.append(.error(.unreadableFile, "could not read the file: \(error)", at: SourceLocation(file: path)))
            return fragment
        }
    }

    func read(format: InputFormat, path: String) throws -> GraphFragment {
        switch format {
        case .csv:
            return try TableMapper(options: options).map(CSVReader(path: path, limits: options.limits), file: path)
        case .xlsx:
            return try TableMapper(options: options).map(XLSXReader(path: path, limits: options.limits), file: path)
        case .ods:
            return try TableMapper(options: options).map(ODSReader(path: path, limits: options.limits), file: path)
        case .bookmarks:
            return try BookmarkReader(path: path, options: options).read()
        case .markdown:
            return try MarkdownServiceReader(path: path, options: options).read()
        case .hsdsJSON:
            return try HSDSReader(path: path, options: options).readJSON()
        case .hsdsPackage:
            return try HSDSReader(path: path, options: options).readPackage()
        case .mapping:
            return GraphFragment()
        }
    }
}
