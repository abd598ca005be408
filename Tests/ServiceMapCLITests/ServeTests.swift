import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport
@testable import ServiceMapCLI
@testable import ServiceMapCore
@testable import ServiceMapStore

/// GET over loopback, bounded: (status, body), or nil when nothing answers.
func fetch(_ url: String, timeout: TimeInterval = 5) -> (status: Int, body: String)? {
    final class Box: @unchecked Sendable { var value: (Int, String)? }
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    var request = URLRequest(url: URL(string: url)!)
    request.timeoutInterval = timeout
    URLSession.shared.dataTask(with: request) { data, response, _ in
        if let http = response as? HTTPURLResponse { box.value = (http.statusCode, String(decoding: data ?? Data(), as: UTF8.self)) }
        done.signal()
    }.resume()
    _ = done.wait(timeout: .now() + timeout + 1)
    return box.value
}

/// Polls `check` until it holds or `seconds` pass.
func eventually(_ seconds: Double = 20, _ check: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if check() { return true }
        Thread.sleep(forTimeInterval: 0.1)
    }
    return check()
}

/// A file's inode and modification time: both stay the same unless the file is written again.
func fileStamp(_ url: URL) throws -> String {
    let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
    let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
    return "\(attributes[.systemFileNumber] as? Int ?? -1)/\(modified)"
}

@Suite("servicemap serve", .serialized)
struct ServeTests {
    /// Drives a preview of a copy of the shipped Data/ on loopback: start, fetch a page, edit a
    /// shipped spreadsheet, see the rebuilt page; break it, see the error; stop.
    @Test(.timeLimit(.minutes(2))) func picksUpAnEditAndServesTheRebuiltPage() throws {
        let data = try copyOfShippedData()
        let scratch = URL(fileURLWithPath: temporaryPath("serve"))
        defer { try? FileManager.default.removeItem(at: data); try? FileManager.default.removeItem(at: scratch) }
        let session = try PreviewSession(
            data: data.path, theme: repositoryRoot.appendingPathComponent("Site").path, output: scratch.appendingPathComponent("site"),
            database: scratch.appendingPathComponent("preview.sqlite").path, port: 0, interval: 0.1,
            log: { _ in })
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        try session.start()
        defer { session.stop() }
        let base = session.url

        let first = try #require(fetch(base + "a-z/e.html"))
        #expect(first.status == 200)
        #expect(first.body.contains("Early Help Team (South)"))
        #expect(first.body.contains("<script src=\"/__servicemap/reload.js\"></script></body>"))
        #expect(fetch(base)?.status == 200)
        #expect(fetch(base + "assets/style.css")?.body.contains("<script") == false)
        #expect(fetch(base + "__servicemap/reload.js")?.body.contains("location.reload()") == true)
        let version = session.status.version
        #expect(version == 1)
        let site = scratch.appendingPathComponent("site")
        // Pages a Glasgow edit does not touch, by inode and modification time (a rewrite changes them).
        let unaffected = ["areas/bromley.html", "areas/salford.html", "assets/style.css"]
        let stamps = try unaffected.map { try fileStamp(site.appendingPathComponent($0)) }
        let letterP = try fileStamp(site.appendingPathComponent("a-z/p.html"))

        // Edit the shipped Glasgow spreadsheet: a new service appears on the rebuilt page.
        let original = try ShippedWorkbook(data.appendingPathComponent("glasgow/glasgow-directory.xlsx"))
        var workbook = original
        workbook["Services"].append(["Name": "Preview Test Service", "Area": "glasgow-city", "Description": "Added while the preview runs."])
        try workbook.save()
        // An incremental build writes pages in place as it goes: look once it has finished.
        #expect(eventually { session.status.version > version })
        #expect(fetch(base + "services/preview-test-service--glasgow-city.html")?.status == 200)
        #expect(fetch(base + "a-z/p.html")?.body.contains("Preview Test Service") == true)
        #expect(fetch(base + "changes/index.html")?.body.contains("Preview Test Service") == true)
        // Only the edited spreadsheet was read again.
        #expect(session.filesReadLastBuild == 1)
        #expect(session.status.errors.isEmpty)
        // The build updated the site in place: pages the new service is not on were not rewritten.
        let added = try #require(session.lastBuild)
        #expect(added.incremental && added.filesWritten > 0)
        #expect(try unaffected.map { try fileStamp(site.appendingPathComponent($0)) } == stamps)
        #expect(try fileStamp(site.appendingPathComponent("a-z/p.html")) != letterP)

        // Edit one service's description: its page shows it, and only a few files are rewritten
        // (its page, the lists it is in, its search record and words, What's new).
        let afterAdding = session.status.version
        workbook["Services"].replace("Added while the preview runs.", with: "Edited while the preview runs.")
        try workbook.save()
        #expect(eventually { session.status.version > afterAdding })
        #expect(fetch(base + "services/preview-test-service--glasgow-city.html")?.body.contains("Edited while the preview runs.") == true)
        let edited = try #require(session.lastBuild)
        #expect(edited.incremental)
        #expect(edited.filesWritten > 0 && edited.filesWritten < edited.files / 10, "rewrote \(edited.filesWritten) of \(edited.files) files")
        #expect(try unaffected.map { try fileStamp(site.appendingPathComponent($0)) } == stamps)

        // A broken edit: the errors reach the page's status; the last good build stays up.
        workbook["Services"].append(["Name": "Backwards Service", "Area": "glasgow-city", "Ages": "10-2"])
        try workbook.save()
        #expect(eventually { !session.status.errors.isEmpty })
        #expect(session.status.errors.contains { $0.contains("glasgow-directory.xlsx") && $0.contains("error") })
        let status = try #require(fetch(base + "__servicemap/status"))
        #expect(status.body.contains("\"errors\":[\"") && status.body.contains("glasgow-directory.xlsx"))
        #expect(fetch(base + "services/preview-test-service--glasgow-city.html")?.status == 200)

        // Nothing outside the site is served.
        #expect(fetch(base + "..%2F..%2Fetc%2Fpasswd")?.status == 404)
        #expect(fetch(base + "no-such-page.html")?.status == 404)

        session.stop()
        #expect(fetch(base, timeout: 1) == nil)
    }

    @Test func reloadScriptGoesBeforeTheBodyEnds() {
        let html = Data("<html><body><p>x</p></body></html>".utf8)
        #expect(String(decoding: PreviewSession.injectReload(html), as: UTF8.self)
                == "<html><body><p>x</p><script src=\"/__servicemap/reload.js\"></script></body></html>")
    }
}
