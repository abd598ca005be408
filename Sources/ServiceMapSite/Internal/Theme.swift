import Foundation

/// The theme in `Site/`: Mustache templates in `templates/` and static files in `assets/`.
/// A council re-brands the site by editing these files; no Swift changes.
struct Theme: Sendable {
    let folder: URL
    let library: TemplateLibrary
    /// Copies of `library` for rendering threads (see TemplatePool).
    private let pool: TemplatePool
    /// Every page template a build needs; a theme missing one fails the build by name.
    static let requiredTemplates = [
        "layout", "home", "service", "area", "level", "ring", "category", "organisation", "index-list", "a-z",
        "sitemap", "shortlist", "not-found", "breadcrumbs", "service-list", "service-item", "coverage", "coverage-matrix",
        "coverage-key", "maps",
    ]

    init(folder: URL) throws {
        self.folder = folder
        let templates = folder.appendingPathComponent("templates")
        let names = try FileManager.default.contentsOfDirectory(atPath: templates.path)
            .filter { $0.hasSuffix(".mustache") }.sorted()
        var library = TemplateLibrary()
        var sources: [(String, String)] = []
        for name in names {
            let text = try String(contentsOf: templates.appendingPathComponent(name), encoding: .utf8)
            do {
                try library.register(text, named: String(name.dropLast(".mustache".count)))
                sources.append((String(name.dropLast(".mustache".count)), text))
            } catch {
                throw SiteBuildError(step: "load theme", message: "templates/\(name): \(error)")
            }
        }
        for required in Self.requiredTemplates where library.template(named: required) == nil {
            throw SiteBuildError(step: "load theme", message: "\(templates.path)/\(required).mustache is missing")
        }
        for asset in Self.requiredAssets where !FileManager.default.fileExists(atPath: folder.appendingPathComponent("assets/" + asset).path) {
            throw SiteBuildError(step: "load theme", message: "\(folder.path)/assets/\(asset) is missing")
        }
        self.library = library
        self.pool = TemplatePool(sources: sources)
    }

    /// Static files the pages load by name.
    static let requiredAssets = ["style.css", "search.js", "shortlist.js", "icons/favicon.svg"]

    func render(_ template: String, _ values: [String: Any]) -> String {
        pool.render(template, TemplateValue(values))
    }

    func render(_ template: String, _ values: TemplateValue) -> String {
        pool.render(template, values)
    }

    func render(_ template: String, _ values: TemplateValue, into output: inout [UInt8]) {
        pool.render(template, values, into: &output)
    }

    /// Markers put in place of per-page values when a frame is rendered once for many pages.
    /// Control characters: Mustache's escaping leaves them alone and imported text cannot hold
    /// them in a title, since titles are escaped by `Escape.html` before they are put in.
    static let titleMarker = "\u{1}servicemap-title\u{1}"
    static let breadcrumbsMarker = "\u{1}servicemap-breadcrumbs\u{1}"
    static let contentMarker = "\u{1}servicemap-content\u{1}"

    var assets: URL { folder.appendingPathComponent("assets") }
}
