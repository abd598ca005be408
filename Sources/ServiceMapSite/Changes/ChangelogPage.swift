import Foundation
import ServiceMapCore

/// The "What's new" page's content: each run's date and what it changed, services first, each
/// changed field as old → new. Links go to the service pages that still exist.
public enum ChangelogPage {
    /// At most this many records are listed per run (a first import adds them all).
    public static let recordsPerEntry = 60

    /// The page's main content (HTML), for a page at `changes/index.html`.
    /// - Parameter servicePath: a service page's path from the site root, or nil if it has none.
    public static func content(_ changelog: Changelog, graph: ServiceGraph, servicePath: (ServiceID) -> String?) -> String {
        var html = "<h1>What’s new</h1>\n"
        html += "<p class=\"lede\">Recent changes to this directory, newest first. <a href=\"feed.xml\">Follow them as an Atom feed</a>.</p>\n"
        guard !changelog.entries.isEmpty else { return html + "<p>No changes have been recorded yet.</p>\n" }
        for entry in changelog.entries {
            html += "<section class=\"change-entry\" id=\"run-\(entry.run)\" aria-labelledby=\"run-\(entry.run)-title\">\n"
            html += "<h2 id=\"run-\(entry.run)-title\"><time datetime=\"\(escape(entry.finishedAt))\">\(escape(entry.dayText))</time></h2>\n"
            html += "<p>\(escape(entry.summary)).</p>\n"
            html += list(entry, graph: graph) { servicePath($0).map { "../" + $0 } }
            html += "</section>\n"
        }
        return html
    }

    /// The list of an entry's changes (also the feed entry's content, with absolute or feed-relative links).
    static func list(_ entry: Changelog.Entry, graph: ServiceGraph, link: (ServiceID) -> String?) -> String {
        var html = "<ul class=\"changes\">\n"
        for change in entry.listed.prefix(recordsPerEntry) {
            let verb = switch change.kind {
            case .added: "Added"
            case .removed: "Removed"
            case .changed: "Changed"
            }
            var name = escape(change.name)
            if change.entity == "service", change.kind != .removed, graph.services[ServiceID(change.id)] != nil,
               let href = link(ServiceID(change.id)) {
                name = "<a href=\"\(escape(href))\">\(name)</a>"
            }
            // Services of the same name in several areas (Family Nurse Partnership) say which.
            if change.entity == "service", let area = graph.services[ServiceID(change.id)]?.areas.first.flatMap({ graph.areas[$0] }) {
                name += " <span class=\"change-area\">(\(escape(area.name)))</span>"
            }
            html += "<li><span class=\"change-kind change-\(change.kind.rawValue)\">\(verb)</span> \(escape(entityLabel(change.entity))) \(name)"
            if !change.fields.isEmpty {
                html += "<ul>"
                for field in change.fields {
                    html += "<li>\(escape(field.field)): <del>\(escape(field.old.isEmpty ? "(empty)" : field.old))</del> → <ins>\(escape(field.new.isEmpty ? "(empty)" : field.new))</ins></li>"
                }
                html += "</ul>"
            }
            html += "</li>\n"
        }
        let shown = min(entry.listed.count, recordsPerEntry)
        if entry.total > shown { html += "<li>… and \(entry.total - shown) more.</li>\n" }
        return html + "</ul>\n"
    }

    /// The order changes are listed in: services, routes, organisations, areas, levels; then by
    /// name and id (the store's `changeOverview` picks the first ones in the same order).
    public static func listingOrder(_ a: RecordChange, _ b: RecordChange) -> Bool {
        (entityRank(a.entity), a.name, a.id) < (entityRank(b.entity), b.name, b.id)
    }

    static func entityRank(_ entity: String) -> Int {
        ["service", "route", "organisation", "area", "level"].firstIndex(of: entity) ?? 9
    }

    static func entityLabel(_ entity: String) -> String {
        switch entity {
        case "route": "referral route"
        case "level": "level of need"
        default: entity
        }
    }

    static func escape(_ text: String) -> String { Escape.html(text) }
}
