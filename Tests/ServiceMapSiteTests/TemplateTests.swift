import Foundation
import Testing
@testable import ServiceMapSite

/// The theme's Mustache engine: what a council editing `Site/templates/` can rely on.
@Suite("Templates")
struct TemplateTests {
    func render(_ source: String, _ values: [String: Any], partials: [String: String] = [:]) throws -> String {
        var library = TemplateLibrary()
        try library.register(source, named: "page")
        for (name, text) in partials { try library.register(text, named: name) }
        return library.render("page", TemplateValue(values))
    }

    @Test func variablesAreEscapedUnlessRaw() throws {
        let values: [String: Any] = ["name": #"<b>Tom & "Jerry's"</b>"#]
        #expect(try render("{{name}}", values) == "&lt;b&gt;Tom &amp; &quot;Jerry&#39;s&quot;&lt;/b&gt;")
        let raw = #"<b>Tom & "Jerry's"</b>|<b>Tom & "Jerry's"</b>"#
        #expect(try render("{{{name}}}|{{& name }}", values) == raw)
        #expect(try render("[{{missing}}]", values) == "[]")
        #expect(try render("{{n}} {{yes}}", ["n": 42, "yes": true]) == "42 true")
    }

    /// The generic engine escaped per grapheme, so a quote followed by a combining mark stayed a
    /// bare quote and ended an attribute. Escaping per byte closes that.
    @Test func aQuoteWithACombiningMarkIsStillEscaped() throws {
        let template = #"<a title="{{t}}">"#
        let html = try render(template, ["t": "\"\u{0301} onmouseover=alert(1) x=\""])
        let bareQuote = "\"\u{0301}"
        #expect(!html.contains(bareQuote))
        #expect(html == "<a title=\"&quot;\u{0301} onmouseover=alert(1) x=&quot;\">")
    }

    @Test func sectionsFollowTheValue() throws {
        let values: [String: Any] = [
            "yes": true, "no": false, "empty": [Any](), "text": "", "zero": 0,
            "items": [["n": "a"], ["n": "b"]], "person": ["name": "Ann"],
        ]
        #expect(try render("{{#yes}}Y{{/yes}}{{#no}}N{{/no}}{{#missing}}M{{/missing}}{{#empty}}E{{/empty}}", values) == "Y")
        // Empty text and zero count as true, as they did with the engine the theme was written for.
        #expect(try render("{{#text}}T{{/text}}{{#zero}}Z{{/zero}}", values) == "TZ")
        #expect(try render("{{#items}}<{{n}}>{{/items}}", values) == "<a><b>")
        #expect(try render("{{#person}}{{name}}{{/person}}", values) == "Ann")
        #expect(try render("{{^no}}a{{/no}}{{^empty}}b{{/empty}}{{^missing}}c{{/missing}}{{^yes}}d{{/yes}}{{^items}}e{{/items}}", values) == "abc")
    }

    @Test func namesAreFoundInTheNearestValueThatHasThem() throws {
        let values: [String: Any] = ["root": "../", "name": "outer", "items": [["name": "inner"], ["other": 1]],
                                     "a": ["b": ["c": "deep"]], "list": ["x", "y"]]
        #expect(try render("{{#items}}{{root}}{{name}};{{/items}}", values) == "../inner;../outer;")
        #expect(try render("{{a.b.c}}|{{#a}}{{b.c}}{{/a}}|{{a.x.c}}", values) == "deep|deep|")
        #expect(try render("{{#list}}({{.}}){{/list}}", values) == "(x)(y)")
        // Once the first part of a dotted name is found, the rest must be inside it.
        #expect(try render("{{#a}}{{b.name}}{{/a}}", values) == "")
    }

    @Test func standaloneTagsLeaveNoLine() throws {
        let source = """
            <ul>
              {{#items}}
              <li>{{.}}</li>
              {{/items}}
              {{! a comment }}
            </ul>
            {{^items}}
            none
            {{/items}}
            """
        #expect(try render(source, ["items": ["a", "b"]]) == "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n")
        // Two tags on a line, or a tag with text beside it, keep the line.
        #expect(try render("  {{#y}}{{/y}}\nx", ["y": true]) == "  \nx")
        #expect(try render("a {{#y}}\nb{{/y}}", ["y": true]) == "a \nb")
        #expect(try render("x\r\n{{#y}}\r\nz{{/y}}", ["y": true]) == "x\r\nz")
        // A standalone tag on the last line, without a newline, is removed too.
        #expect(try render("x\n  {{#y}}{{/y}}", ["y": false]) == "x\n  ")
        #expect(try render("x\n  {{! end }}", [:]) == "x\n")
    }

    @Test func standalonePartialsAreIndented() throws {
        let partials = ["list": "<li>{{a}}</li>\n<li>{{b}}</li>\n"]
        let values: [String: Any] = ["a": "1", "b": "2", "raw": "x\ny"]
        #expect(try render("<ul>\n  {{>list}}\n</ul>", values, partials: partials) == "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>")
        // Inline partials are not indented; a value's own lines are never indented.
        #expect(try render("<p>{{>list}}</p>", values, partials: partials) == "<p><li>1</li>\n<li>2</li>\n</p>")
        #expect(try render("  {{>raw}}\n", values, partials: ["raw": "{{{raw}}}\n"]) == "  x\ny\n")
        #expect(try render("[{{>unknown}}]", values) == "[]")
    }

    @Test func aPartialThatIncludesItselfStops() throws {
        let html = try render("{{>loop}}", [:], partials: ["loop": "o{{>loop}}"])
        #expect(html == String(repeating: "o", count: TemplateRenderer.maximumPartialDepth))
    }

    @Test func delimitersCanChange() throws {
        #expect(try render("{{=<% %>=}}<% name %> {{name}} <%={{ }}=%>{{name}}", ["name": "N"]) == "N {{name}} N")
    }

    @Test func mistakesInATemplateAreReportedWithTheLine() throws {
        func failure(_ source: String) -> String {
            do {
                _ = try Template(source)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(failure("a\n{{#x}}\nb") == "line 2: {{#x}} is never closed")
        #expect(failure("{{#x}}\n\n{{/y}}") == "line 3: {{/y}} closes {{#x}} from line 1")
        #expect(failure("{{/x}}") == "line 1: {{/x}} closes no section")
        #expect(failure("a {{name") == "line 1: unclosed {{")
        #expect(failure("{{na me}}") == "line 1: “na me” is not a name a template can use")
        #expect(failure("{{<parent}}{{/parent}}") == "line 1: inheritance and dynamic names are not supported")
    }

    /// The shipped theme renders with every template loaded, and a page's values reach the page.
    @Test func theShippedThemeLoads() throws {
        let theme = try Theme(folder: SiteFixtures.repoRoot.appendingPathComponent("Site"))
        let values: [String: Any] = ["root": "../", "breadcrumbs": [["label": "Home & away", "href": "index.html"]]]
        let html = theme.render("breadcrumbs", values.compacted)
        let link = #"<a href="../index.html">Home &amp; away</a>"#
        #expect(html.contains(link))
    }
}
