import Foundation

/// Choices for one build of the site.
public struct SiteOptions: Sendable {
    /// The site's name, shown in every page's header and title.
    public var title: String
    /// A line under the title, e.g. who maintains the directory.
    public var tagline: String
    /// Search documents per shard file; a results page loads only the shards of the services it
    /// shows. Small, because a broad query's first twenty results are spread over the whole
    /// directory: with 50 a shard, they cost twenty 25 KB files; with 10, twenty 5 KB ones.
    public var documentsPerShard: Int
    /// Pages rendered at once; nil uses every core.
    public var parallelism: Int?
    /// The recent history for the "What's new" page and its feed (`Changelog.load(from:)`); nil
    /// gives a page saying nothing has been recorded.
    public var changelog: Changelog?
    /// Where the site is published (`https://example.org/directory/`), so the Atom feed's links are
    /// absolute; nil leaves them relative to the feed.
    public var baseURL: String?
    /// Whether a build may update a site made by the last one in place, rendering and writing only
    /// what changed (SiteBuilder); false always makes a fresh folder.
    public var incremental: Bool
    /// Whether the build frees its indexes and rendered pieces when it ends. A command that exits
    /// right after the build sets this false: freeing a 100,000-service build object by object
    /// takes half a second, and the process's exit gives the memory back at once.
    public var freesMemoryAtEnd: Bool

    public init(
        title: String = "Family services directory",
        tagline: String = "Services for families, and alternatives to social work",
        documentsPerShard: Int = 10,
        parallelism: Int? = nil,
        changelog: Changelog? = nil,
        baseURL: String? = nil,
        incremental: Bool = true,
        freesMemoryAtEnd: Bool = true
    ) {
        self.title = title
        self.tagline = tagline
        self.documentsPerShard = max(1, documentsPerShard)
        self.parallelism = parallelism
        self.changelog = changelog
        self.baseURL = baseURL
        self.incremental = incremental
        self.freesMemoryAtEnd = freesMemoryAtEnd
    }
}

/// What a build produced.
public struct SiteBuildReport: Sendable {
    public struct Step: Sendable {
        public var name: String
        public var seconds: Double
    }
    /// HTML pages in the site.
    public var pages: Int
    /// All files of the site (pages, search shards, assets, sitemap.xml, the feed).
    public var files: Int
    public var bytes: Int
    /// Search index files (metadata, term, facet and document shards).
    public var searchFiles: Int
    /// Each step's wall time; a step run beside others (SiteBuilder) overlaps them.
    public var steps: [Step]
    /// Whether the build updated the last build's folder in place rather than making a fresh one.
    public var incremental: Bool
    /// Files this build wrote (every file, for a full build).
    public var filesWritten: Int
    /// Files left as the last build wrote them, because their values or bytes had not changed.
    public var filesUnchanged: Int
    /// Files the last build made that this one no longer does, deleted.
    public var filesRemoved: Int
}

/// A build failure, named after the step it happened in.
public struct SiteBuildError: Error, CustomStringConvertible, Sendable {
    public var step: String
    public var message: String
    public init(step: String, message: String) {
        self.step = step
        self.message = message
    }
    public var description: String { "\(step): error: \(message)" }
}
