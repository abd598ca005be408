import ArgumentParser
import Foundation
import Testing
import TestSupport
@testable import ServiceMapCLI
@testable import ServiceMapCore
@testable import ServiceMapStore

// Shared by the living-directory tests (diff, review, export, serve).

let captureLock = NSLock()

/// Runs a subcommand in-process and returns its exit code and what it printed to standard output.
/// Captures are one at a time: standard output is one file descriptor for the whole process.
func runCapturing(_ arguments: [String]) -> (status: Int32, output: String) {
    captureLock.lock()
    defer { captureLock.unlock() }
    let file = temporaryPath("stdout.txt")
    FileManager.default.createFile(atPath: file, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: file) }
    fflush(nil)
    let saved = dup(STDOUT_FILENO)
    let handle = open(file, O_WRONLY)
    dup2(handle, STDOUT_FILENO)
    close(handle)
    var status: Int32 = 0
    do {
        var command = try ServiceMapCommand.parseAsRoot(arguments)
        try command.run()
    } catch {
        status = ServiceMapCommand.exitCode(for: error).rawValue
    }
    fflush(nil)
    dup2(saved, STDOUT_FILENO)
    close(saved)
    return (status, (try? String(contentsOfFile: file, encoding: .utf8)) ?? "")
}

/// A copy of the shipped Data/ folder in a temporary folder, to edit.
func copyOfShippedData() throws -> URL {
    let folder = URL(fileURLWithPath: temporaryPath("data"))
    try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("Data"), to: folder)
    return folder
}

/// Replaces text in a file, failing the test if the text is not there.
func edit(_ file: URL, replacing old: String, with new: String) throws {
    let text = try String(contentsOf: file, encoding: .utf8)
    #expect(text.contains(old), "\(file.lastPathComponent) does not contain '\(old)'")
    try text.replacingOccurrences(of: old, with: new).write(to: file, atomically: true, encoding: .utf8)
}

/// The edit the living-directory tests make to the shipped Glasgow spreadsheet: a description
/// rewritten and a referral route added.
enum ShippedEdit {
    static let service: ServiceID = "early-help-team-south--glasgow-city"
    static let oldText = "The seed says nothing more about what it offers or who it serves."
    static let newText = "Edited for the living-directory test."
    static let route = "role:gp>early-help-team-south--glasgow-city#professional-referral#referral"

    static func apply(to data: URL) throws {
        var workbook = try ShippedWorkbook(data.appendingPathComponent("glasgow/glasgow-directory.xlsx"))
        workbook["Services"].replace(oldText, with: newText)
        workbook["Referral routes"].append(["From": "GP", "To": "Early Help Team (South)", "Area": "glasgow-city",
                                            "Mode": "professional-referral", "Kind": "referral", "Source": "living-directory test"])
        try workbook.save()
    }
}

@Suite("servicemap diff", .serialized)
struct DiffTests {
    @Test func aChangeToAShippedSpreadsheetShowsInDiff() throws {
        let data = try copyOfShippedData()
        defer { try? FileManager.default.removeItem(at: data) }
        let database = temporaryPath("diff.sqlite")
        defer { try? FileManager.default.removeItem(atPath: database) }
        #expect(runCapturing(["import", data.path, "--database", database, "--quiet"]).status == 0)
        try ShippedEdit.apply(to: data)
        #expect(runCapturing(["import", data.path, "--database", database, "--quiet"]).status == 0)

        let table = runCapturing(["diff", "--database", database])
        #expect(table.status == 0)
        #expect(table.output.contains("~ service \(ShippedEdit.service)  Early Help Team (South)"))
        #expect(table.output.contains("description: '"))
        #expect(table.output.contains(ShippedEdit.newText))
        #expect(table.output.contains("+ route \(ShippedEdit.route)"))
        #expect(table.output.contains("services: 0 added, 0 removed, 1 changed"))

        let csv = runCapturing(["diff", "--database", database, "--from", "1", "--to", "2", "--format", "csv"])
        #expect(csv.output.hasPrefix("entity,id,change,name,field,old,new\n"))
        #expect(csv.output.contains("service,\(ShippedEdit.service),changed,Early Help Team (South),description,"))
        #expect(csv.output.contains("route,\(ShippedEdit.route),added,"))

        let json = runCapturing(["diff", "--database", database, "--format", "json"])
        let report = try JSONDecoder().decode(ChangeReport.self, from: Data(json.output.utf8))
        let change = try #require(report.changes.first { $0.id == ShippedEdit.service.rawValue })
        #expect(change.fields.map(\.field) == ["description"])
        #expect(change.fields[0].new.contains(ShippedEdit.newText) && change.fields[0].old.contains(ShippedEdit.oldText))

        // From nothing to run 1: every shipped service is added.
        let store = try ServiceStore(path: database)
        let first = try store.changes(fromRun: nil, toRun: 1)
        #expect(first.filter { $0.entity == "service" && $0.kind == .added }.count == (try store.runs().first?.serviceCount))
        #expect(runCapturing(["diff", "--database", database, "--from", "2", "--to", "1"]).status == 2)
        #expect(runCapturing(["diff", "--database", database, "--to", "9"]).status == 2)
    }

    @Test func twoFoldersAreComparedAsImportsWouldReadThem() throws {
        let before = try copyOfShippedData(), after = try copyOfShippedData()
        defer { try? FileManager.default.removeItem(at: before); try? FileManager.default.removeItem(at: after) }
        try ShippedEdit.apply(to: after)
        let result = runCapturing(["diff", before.path, after.path])
        #expect(result.status == 0)
        #expect(result.output.contains("~ service \(ShippedEdit.service)"))
        #expect(result.output.contains("+ route \(ShippedEdit.route)"))
        #expect(runCapturing(["diff", before.path, before.path]).output.contains("No changes."))
        #expect(runCapturing(["diff", before.path]).status == 2)
    }

    @Test func composedChangesMatchTheSnapshotDiff() {
        let a = RecordChange(entity: "service", id: "x", kind: .changed, name: "X", fields: [.init(field: "phone", old: "1", new: "2")])
        let b = RecordChange(entity: "service", id: "x", kind: .changed, name: "X", fields: [.init(field: "phone", old: "2", new: "3")])
        let back = RecordChange(entity: "service", id: "x", kind: .changed, name: "X", fields: [.init(field: "phone", old: "3", new: "1")])
        let added = RecordChange(entity: "route", id: "r", kind: .added, name: "R", fields: [])
        let removed = RecordChange(entity: "route", id: "r", kind: .removed, name: "R", fields: [])
        #expect(RecordChange.compose([[a], [b]]) == [RecordChange(entity: "service", id: "x", kind: .changed, name: "X",
                                                                  fields: [.init(field: "phone", old: "1", new: "3")])])
        #expect(RecordChange.compose([[a, added], [b], [back, removed]]).isEmpty)
    }
}
