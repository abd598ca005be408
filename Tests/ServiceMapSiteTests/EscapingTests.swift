import Foundation
import ServiceMapCore
import Testing
@testable import ServiceMapSite

@Suite("Imported text is escaped in every context")
struct EscapingTests {
    @Test func hostileGraphProducesInertHTML() throws {
        let out = SiteFixtures.temporaryFolder()
        try SiteFixtures.build(SiteFixtures.hostile(), into: out)
        let files = SiteFixtures.files(in: out)
        let evilPath = try #require(files.keys.first { $0.hasPrefix("services/evil-") })
        let page = String(decoding: files[evilPath]!, as: UTF8.self)
        #expect(page.contains("<h1>&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(&#39;img&#39;)&gt;</h1>"))
        #expect(page.contains("&lt;/script&gt;&lt;script&gt;alert(&#39;desc&#39;)"))
        // The website link keeps its quotes out of the attribute.
        #expect(page.contains("href=\"https://example.org/%22onmouseover=%22alert(%27q%27)\""))
        // An email with a quote, a javascript: phone: shown as text, not linked.
        #expect(!page.contains("href=\"mailto:a@b.org"))
        #expect(!page.contains("tel:javascript"))

        for (path, data) in files where path.hasSuffix(".html") {
            let html = String(decoding: data, as: UTF8.self)
            #expect(!html.contains("<script>alert"), "raw script in \(path)")
            #expect(!html.contains("<img src=x"), "raw img in \(path)")
            #expect(!html.contains("<svg onload"), "raw svg in \(path)")
            #expect(!html.contains("<b onmouseover"), "raw markup in \(path)")
            #expect(!html.contains("<iframe"), "raw iframe in \(path)")
            for href in SiteScan.attributes(in: html, named: ["href", "src"]) {
                let url = SiteScan.unescape(href).lowercased()
                #expect(!url.hasPrefix("javascript:") && !url.contains("script:alert"), "\(path) links to \(href)")
                #expect(!url.contains("\""), "\(path) has a quote in \(href)")
            }
            // Every <script> is the site's own file; none is inline.
            var rest = html[...]
            while let open = rest.range(of: "<script") {
                let tag = rest[open.lowerBound...].prefix { $0 != ">" }
                #expect(tag.contains(" src=\""), "inline script in \(path)")
                rest = rest[open.upperBound...]
            }
        }
        let search = files.filter { $0.key.hasPrefix("search/") }
        #expect(!search.isEmpty)
        for (path, data) in search {
            let js = String(decoding: data, as: UTF8.self)
            #expect(!js.contains("<"), "< in \(path)")
            #expect(!js.contains(">"), "> in \(path)")
            #expect(!js.contains("&"), "& in \(path)")
            #expect(!js.contains("\u{2028}") && !js.contains("\u{2029}"), "line separator in \(path)")
            // Imported text may mention "javascript:" (it is shown as text); link fields may not.
            let lower = js.lowercased()
            for field in ["\"w\":\"", "\"pt\":\"", "\"u\":\""] {
                var rest = lower[...]
                while let r = rest.range(of: field) {
                    let value = rest[r.upperBound...]
                    #expect(value.hasPrefix("http") || value.hasPrefix("tel:") || value.hasPrefix("services/"), "\(field) in \(path)")
                    rest = value
                }
            }
        }
    }

    @Test func jsonStringsAreScriptSafe() {
        #expect(Escape.jsonString("</script>\u{2028}&\"\\\n\u{1}") == "\"\\u003c/script\\u003e\\u2028\\u0026\\\"\\\\\\n\\u0001\"")
    }

    @Test func onlyWebMailAndPhoneLinks() {
        #expect(SafeLink.web("https://example.org/a b") == "https://example.org/a%20b")
        #expect(SafeLink.web("www.example.org") == "https://www.example.org")
        #expect(SafeLink.web("javascript:alert(1)") == nil)
        #expect(SafeLink.web(" JAVASCRIPT:alert(1)") == nil)
        #expect(SafeLink.web("java\nscript:alert(1)") == nil)
        #expect(SafeLink.web("data:text/html,<script>") == nil)
        #expect(SafeLink.web("ftp://example.org") == nil)
        #expect(SafeLink.web("//evil.example") == nil)
        // Plain ASCII links take a byte-level path; it must agree with the general one.
        #expect(SafeLink.web("WWW.Example.org/x") == "https://WWW.Example.org/x")
        #expect(SafeLink.web("HTTPS://example.org/a\"b") == "HTTPS://example.org/a%22b")
        #expect(SafeLink.web("https:/example.org") == nil)
        #expect(SafeLink.web("https://") == nil)
        #expect(SafeLink.web("http://x") == "http://x")
        #expect(SafeLink.web("https://exämple.org/ä") == "https://ex%C3%A4mple.org/%C3%A4")
        #expect(SafeLink.web("wwW.example.org:8080/{x}") == "https://wwW.example.org:8080/%7Bx%7D")
        #expect(SafeLink.email("a(b)@example.org") == nil)
        #expect(SafeLink.email("MAILTO:a@example.org") == "mailto:a@example.org")
        #expect(SafeLink.email("a@example.org") == "mailto:a@example.org")
        #expect(SafeLink.email("a@b.org\" onclick=\"x") == nil)
        #expect(SafeLink.phone("0141 000 0000") == "tel:01410000000")
        #expect(SafeLink.phone("+44 (0)1632 960001") == "tel:+4401632960001")
        #expect(SafeLink.phone("javascript:alert(1)") == "tel:1" ? false : true)
    }
}
