import ArgumentParser
import Foundation
import ServiceMapCore
import ServiceMapImport
import ServiceMapStore

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import spreadsheets, CSV, bookmarks, Markdown and Open Referral files into the database.",
        discussion: """
            Reads every file named (folders are read recursively): .xlsx, .ods, .csv, bookmark .html, \
            Markdown .md with front matter, Open Referral HSDS .json or a datapackage.json folder. A mapping.yaml \
            among them adds header synonyms. Every problem is reported as file:place: severity: message [code]. \
            If any error is found nothing is written, unless --valid-records is given. Each import that is \
            written is recorded as a run, so changes can be listed later.
            """
    )

    @Argument(help: "Files or folders to import.")
    var paths: [String] = ["Data"]

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    @Flag(name: .long, help: "Add to what is stored instead of replacing it with exactly these files.")
    var merge = false

    @Flag(name: .long, help: "Write the valid records even when other records have errors.")
    var validRecords = false

    @Option(name: .long, help: "A mapping file (YAML) of header synonyms to use for every file.")
    var mapping: String?

    func run() throws {
        let console = Console(showNotes: output.notes, quiet: output.quiet)
        let outcome = try ImportRunner(paths: paths, database: store.database, merge: merge, validRecords: validRecords,
                                       mapping: mapping, console: console).run()
        // The command ends here: the graph and its diagnostics are left for the process's exit to
        // return, not freed object by object (half a second at 100,000 services).
        KeptUntilExit.keep(outcome)
        // Errors fail the command even when --valid-records wrote the rest.
        if !outcome.applied || outcome.diagnostics.hasErrors { throw ExitCode(1) }
    }
}

/// Shared by `import` and the default run.
struct ImportRunner {
    var paths: [String]
    var database: String
    var merge = false
    var validRecords = false
    var mapping: String?
    var console: Console

    func run() throws -> ImportPipeline.Outcome {
        var pipeline = try ImportPipeline.prepared(paths: paths, mapping: mapping, console: console)
        pipeline.mode = merge ? .merge : .replace
        pipeline.applyValidRecords = validRecords
        let store = try ServiceStore.forImport(path: database)
        var stepIndex = 0
        let outcome = try pipeline.run(into: store) { text in
            stepIndex += 1
            console.step(stepIndex, 3, text)
        }
        console.report(outcome.diagnostics)
        let summary = console.summary(outcome.diagnostics)
        if let run = outcome.run {
            console.err("imported \(outcome.graph.services.count) services, \(outcome.graph.routes.count) referral routes, \(outcome.graph.areas.count) areas from \(outcome.files.count) files into \(database) as run \(run.runID) (\(run.servicesAdded) added, \(run.servicesChanged) changed, \(run.servicesRemoved) removed); \(summary)")
        } else {
            console.err("nothing imported: \(summary). Fix the errors above, or use --valid-records to import the rest.")
        }
        return outcome
    }
}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check files as an import would, without writing anything.",
        discussion: "Exit status 0 when there are no errors (warnings are allowed), 1 when there are."
    )

    @Argument(help: "Files or folders to check.")
    var paths: [String] = ["Data"]

    @OptionGroup var output: OutputOptions

    @Option(name: .long, help: "A mapping file (YAML) of header synonyms.")
    var mapping: String?

    func run() throws {
        let console = Console(showNotes: output.notes, quiet: output.quiet)
        let pipeline = try ImportPipeline.prepared(paths: paths, mapping: mapping, console: console)
        let outcome = pipeline.check()
        console.report(outcome.diagnostics)
        console.err("checked \(outcome.files.count) files: \(outcome.graph.services.count) services, \(outcome.graph.routes.count) referral routes, \(outcome.graph.areas.count) areas; \(console.summary(outcome.diagnostics))")
        let status = ExitStatus.forDiagnostics(outcome.diagnostics)
        if status != 0 { throw ExitCode(status) }
    }
}

extension ImportPipeline {
    /// A pipeline for `import` and `check`: the mapping file loaded and every path checked, or
    /// exit status 2 with the reason printed.
    static func prepared(paths: [String], mapping: String?, console: Console) throws -> ImportPipeline {
        var pipeline = ImportPipeline(paths: paths)
        if let mapping {
            switch ColumnMapping.load(path: mapping) {
            case .success(let m): pipeline.options.mapping = m
            case .failure(let failure):
                console.report([failure.diagnostic])
                throw ExitCode(2)
            }
        }
        for path in paths where !FileManager.default.fileExists(atPath: path) {
            console.err("servicemap: no such file or folder: \(path)")
            throw ExitCode(2)
        }
        return pipeline
    }
}
