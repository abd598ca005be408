import Foundation
import ServiceMapCore

/// The build step that writes `changes/index.html` ("What's new", through the theme's
/// `changes.mustache` inside the usual layout) and `changes/feed.xml` (Atom), from
/// `SiteOptions.changelog`.
struct ChangelogRenderer {
    let context: SiteContext

    init(_ context: SiteContext) { self.context = context }

    func render() throws {
        let changelog = context.options.changelog ?? .empty
        guard context.theme.library.template(named: "changes") != nil else {
            throw SiteBuildError(step: "", message: "\(context.theme.folder.path)/templates/changes.mustache is missing")
        }
        let folder = context.staging.appendingPathComponent("changes")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let servicePath: (ServiceID) -> String? = { id in context.graph.services[id] == nil ? nil : context.servicePath(id) }
        let renderer = PageRenderer(context)
        let html = ChangelogPage.content(changelog, graph: context.graph, servicePath: servicePath)
        try renderer.page("changes", path: "changes/index.html", title: "What’s new", kind: "changes") { v in
            v["breadcrumbs"] = renderer.breadcrumbs([("Home", "index.html")])
            v["changes"] = html
        }
        let feed = AtomFeed.xml(changelog, graph: context.graph, title: context.options.title, baseURL: context.options.baseURL,
                                servicePath: servicePath)
        try context.write(feed, to: "changes/feed.xml")
    }
}
