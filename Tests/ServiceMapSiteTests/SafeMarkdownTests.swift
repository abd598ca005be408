import Testing
@testable import ServiceMapSite

@Suite("Descriptions as safe Markdown")
struct SafeMarkdownTests {
    @Test func paragraphsListsEmphasisAndLinks() {
        let blocks = SafeMarkdown.blocks("""
        **What it does.** Screens *every* referral.

        - schools
        - GPs and [health visitors](https://example.org/hv)
        ## Who refers
        """)
        #expect(blocks == [
            "<p><strong>What it does.</strong> Screens <em>every</em> referral.</p>",
            "<ul><li>schools</li><li>GPs and <a href=\"https://example.org/hv\">health visitors</a></li></ul>",
            "<h3>Who refers</h3>",
        ])
    }

    @Test func markupInTheSourceStaysText() {
        let blocks = SafeMarkdown.blocks("<script>alert(1)</script> **<img src=x onerror=alert(1)>** [x](javascript:alert(1)) [y](https://a.org/\"onmouseover=\"z)")
        let html = blocks.joined()
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("javascript:"))
        #expect(!html.contains("href=\"https://a.org/\""))
        #expect(html.contains("&lt;script&gt;"))
    }

    @Test func plainTextForSummaries() {
        #expect(SafeMarkdown.plain("**Bold** and [a link](https://x.org) here") == "Bold and a link here")
    }
}
