import Foundation
import ServiceMapCLI
import ServiceMapCore
import ServiceMapImport
import ServiceMapSite
import ServiceMapStore

// Release-build benchmarks. Figures are wall time and peak resident memory of this process.
//
//   swift run -c release servicemap-bench generate --rows 100000 --out /tmp/bench
//   swift run -c release servicemap-bench import /tmp/bench/xlsx       (read, map, validate, store: servicemap import)
//   swift run -c release servicemap-bench load /tmp/bench/csv          (load the stored graph back)
//
// All generated data is synthetic and says so: file names, a title row and every description.

let arguments = Array(CommandLine.arguments.dropFirst())

func option(_ name: String, default value: String) -> String {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return value }
    return arguments[i + 1]
}

func peakMemoryMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024  // Linux reports KiB
}

/// CPU seconds (user and system) this process has used: on a shared machine, a steadier figure than wall time.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

func measure<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
    let start = DispatchTime.now()
    let cpu = cpuSeconds()
    let result = try body()
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    print(String(format: "%@: %.2f s wall, %.2f s CPU, peak %.0f MiB", label, seconds, cpuSeconds() - cpu, peakMemoryMiB()))
    return result
}

switch arguments.first {
case "generate":
    let rows = Int(option("--rows", default: "10000")) ?? 10000
    let out = option("--out", default: "/tmp/servicemap-bench-\(rows)")
    try measure("generate \(rows) synthetic rows") {
        try SyntheticDirectory(rows: rows).write(to: out)
    }
case "import":
    let path = arguments.count > 1 ? arguments[1] : "/tmp/servicemap-bench-10000"
    let database = NSTemporaryDirectory() + "servicemap-bench-\(ProcessInfo.processInfo.processIdentifier).sqlite"
    defer {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
    }
    // Through `servicemap import`'s own pipeline and store, as the command runs it; each step is
    // timed from the pipeline's progress reports.
    let store = try ServiceStore.forImport(path: database)
    try measure("import \(path)") {
        var step: (name: String, start: DispatchTime, cpu: Double)?
        func endStep() {
            guard let step else { return }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - step.start.uptimeNanoseconds) / 1e9
            print(String(format: "  %@: %.2f s wall, %.2f s CPU, peak %.0f MiB", step.name, seconds, cpuSeconds() - step.cpu, peakMemoryMiB()))
        }
        let outcome = try ImportPipeline(paths: [path]).run(into: store) { name in
            endStep()
            step = (name, DispatchTime.now(), cpuSeconds())
        }
        endStep()
        let errors = outcome.diagnostics.filter { $0.severity == .error }
        guard outcome.applied else {
            for e in errors.prefix(5) { print(e) }
            throw ExitError.dataErrors(errors.count)
        }
        print("  \(outcome.graph.services.count) services, \(outcome.graph.routes.count) routes, \(outcome.diagnostics.count) diagnostics")
    }
case "load":
    // Loading a stored directory back into memory, as the site build and its incremental rebuild
    // do before every build: imports the folder (not timed), then loads the graph from the store.
    // `--database PATH` keeps the store: a second run with the same PATH loads it without importing.
    let path = arguments.count > 1 ? arguments[1] : "/tmp/servicemap-bench-10000/csv"
    let kept = option("--database", default: "")
    let database = kept.isEmpty ? NSTemporaryDirectory() + "servicemap-bench-load-\(ProcessInfo.processInfo.processIdentifier).sqlite" : kept
    defer {
        if kept.isEmpty { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) } }
    }
    if kept.isEmpty || !FileManager.default.fileExists(atPath: kept) {
        var result = Importer().read([path])
        var assembler = GraphAssembler()
        assembler.add(result.fragment)
        result.fragment = GraphFragment()
        let (graph, _) = assembler.assemble()
        try ServiceStore(path: database).apply(graph)
        print("  \(graph.services.count) services imported (not timed)")
    }
    let store = try ServiceStore(path: database)
    let loaded = try measure("load graph") { try store.loadGraph() }
    print("  \(loaded.services.count) services, \(loaded.routes.count) routes loaded")
case "site":
    // Builds the site of a generated directory from the store: all pages and the search index,
    // into a fresh folder; then changes one service and builds again.
    let folder = arguments.count > 1 ? arguments[1] : "/tmp/servicemap-bench-10000/csv"
    let output = option("--out", default: NSTemporaryDirectory() + "servicemap-bench-site")
    let theme = option("--theme", default: "Site")
    // `--database PATH` keeps the store: a later run with the same path skips the import, so the
    // process measures the build alone (peak memory included). `--no-rebuild` stops after one build.
    let kept = option("--database", default: "")
    let database = kept.isEmpty ? NSTemporaryDirectory() + "servicemap-bench-site-\(ProcessInfo.processInfo.processIdentifier).sqlite" : kept
    defer {
        if kept.isEmpty {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
        }
    }
    let store: ServiceStore
    if !kept.isEmpty && FileManager.default.fileExists(atPath: kept) {
        store = try ServiceStore(path: database)
        print("  using the services stored in \(kept)")
    } else {
        var result = Importer().read([folder])
        var assembler = GraphAssembler()
        assembler.add(result.fragment)
        result.fragment = GraphFragment()
        let (graph, _) = assembler.assemble()
        store = try ServiceStore(path: database)
        try store.apply(graph)
        print("  \(graph.services.count) services imported (not timed)")
    }
    try? FileManager.default.removeItem(atPath: output)
    let first = try measure("build site") {
        let loaded = try store.loadGraph()
        return try SiteBuilder(graph: loaded, theme: URL(fileURLWithPath: theme), output: URL(fileURLWithPath: output)).build()
    }
    print("  \(first.pages) pages, \(first.files) files, \(first.bytes / 1_048_576) MiB")
    for step in first.steps { print(String(format: "    %6.3f s  %@", step.seconds, step.name)) }
    if arguments.contains("--no-rebuild") { exit(0) }
    var edited = try store.loadGraph()
    if let id = edited.services.keys.min() {
        edited.services[id]?.description += " Changed for the rebuild benchmark."
        try store.apply(edited)
    }
    try measure("rebuild after one service changed") {
        let loaded = try measure("  loadGraph") { try store.loadGraph() }
        let report = try measure("  site build") {
            try SiteBuilder(graph: loaded, theme: URL(fileURLWithPath: theme), output: URL(fileURLWithPath: output)).build()
        }
        print("  \(report.incremental ? "incremental" : "full"): \(report.filesWritten) of \(report.files) files written, \(report.filesRemoved) removed")
        for step in report.steps { print(String(format: "    %6.3f s  %@", step.seconds, step.name)) }
    }
default:
    print("usage: servicemap-bench generate --rows N --out DIR | import DIR | load DIR [--database PATH] | site DIR [--out SITE] [--theme Site] [--database PATH] [--no-rebuild]")
}

enum ExitError: Error {
    case dataErrors(Int)
}
