import CHeapRelease
import Foundation
import ServiceMapCore
import ServiceMapImport
import ServiceMapStore

/// Files → readers → assembler → rules → store, as one action. Nothing is written unless the
/// whole import is clean (or the caller asked for the valid records only).
public struct ImportPipeline {
    public enum Mode: String, Sendable {
        /// The files are the whole directory: the stored graph becomes exactly what they say.
        case replace
        /// The files add to what is stored.
        case merge
    }

    public var paths: [String]
    public var mode: Mode = .replace
    /// Apply the records that are valid even when others have errors (the errors are still reported).
    public var applyValidRecords = false
    public var options = ImportOptions()

    public init(paths: [String]) {
        self.paths = paths
    }

    public struct Outcome: Sendable {
        public var graph: ServiceGraph
        public var diagnostics: [Diagnostic]
        public var files: [ImportedFile]
        /// Set when the run was written to the store.
        public var run: ServiceStore.RunSummary?
        public var applied: Bool { run != nil }
    }

    /// Reads and checks, without touching any store.
    public func check(base: ServiceGraph = .empty, progress: (String) -> Void = { _ in }) -> Outcome {
        progress("reading \(Importer.inputFiles(paths).count) files")
        // Large arrays (a sheet's drafts, the graph's tables) in mappings of their own. With the
        // two hand-backs below, a 100,000-service import holds 244 MiB once its graph is built,
        // against 292 MiB without them.
        servicemap_map_large_blocks_apart()
        var result = Importer(options: options).read(paths)
        // The files were read on other threads, and their bytes and working rows freed there;
        // without this, that memory would stay the process's while the graph is built beside it.
        servicemap_release_free_heap()
        progress("resolving names and checking the graph")
        var assembler = GraphAssembler(base: base)
        assembler.add(result.fragment)
        result.fragment = GraphFragment()  // the assembler holds the only copy and frees it as it goes
        let (graph, diagnostics) = assembler.assemble()
        // Likewise the readers' records, freed as the graph was built from them.
        servicemap_release_free_heap()
        return Outcome(graph: graph, diagnostics: Self.sorted(diagnostics), files: result.files, run: nil)
    }

    /// Reads, checks and — if clean, or if asked to keep valid records — applies to the store in
    /// one transaction.
    public func run(into store: ServiceStore, progress: (String) -> Void = { _ in }) throws -> Outcome {
        let started = Date()
        let base = mode == .merge ? try store.loadGraph() : .empty
        var outcome = check(base: base, progress: progress)
        if outcome.diagnostics.hasErrors && !applyValidRecords {
            return outcome
        }
        let graph = applyValidRecords ? GraphRules.keepingValidRecords(outcome.graph) : outcome.graph
        progress("writing \(graph.services.count) services and \(graph.routes.count) routes")
        outcome.graph = graph
        outcome.run = try store.apply(
            graph, mode: mode.rawValue,
            files: outcome.files.map { .init(path: $0.path, format: $0.format, sha256: $0.sha256, records: $0.records) },
            diagnostics: outcome.diagnostics, startedAt: started, finishedAt: Date())
        return outcome
    }

    /// Diagnostics in file order, then by position, so output is stable run to run.
    static func sorted(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.enumerated().sorted { a, b in
            let la = a.element.location, lb = b.element.location
            let ka = (la?.file ?? "", la?.sheet ?? "", la?.row ?? 0, la?.column ?? 0)
            let kb = (lb?.file ?? "", lb?.sheet ?? "", lb?.row ?? 0, lb?.column ?? 0)
            if ka != kb { return ka < kb }
            return a.offset < b.offset
        }.map(\.element)
    }
}
