import Foundation
import ServiceMapCore

extension ServiceGraph {
    /// The graph with file locations removed from every record's provenance, citations kept.
    ///
    /// This is what "the same graph" means after an export and a re-import: every fact and every
    /// citation is the same, but the facts were now read from the exported file, so where they
    /// were read from (`Sources.locations`, `Sources.fields`) has honestly changed.
    public func withoutLocations() -> ServiceGraph {
        func strip(_ sources: Sources) -> Sources { Sources(citations: sources.citations) }
        var graph = self
        graph.areas = areas.mapValues { var a = $0; a.sources = strip(a.sources); return a }
        graph.levels = levels.mapValues { var l = $0; l.sources = strip(l.sources); return l }
        graph.organisations = organisations.mapValues { var o = $0; o.sources = strip(o.sources); return o }
        graph.services = services.mapValues { var s = $0; s.sources = strip(s.sources); return s }
        graph.routes = routes.mapValues { var r = $0; r.sources = strip(r.sources); return r }
        return graph
    }
}
