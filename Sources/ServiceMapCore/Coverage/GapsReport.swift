import Foundation

/// What an executive lead asks: which areas, which needs, which levels, how old is too old.
public struct GapsOptions: Hashable, Codable, Sendable {
    /// One area (its sub-areas side by side), several areas side by side, or none (top-level areas).
    public var areas: [AreaCode]
    public var categories: [CategoryID]
    public var rings: [ContinuumRing]
    /// Referrer roles for the reachability findings; empty means every role that refers in the area.
    public var referrers: [ReferrerRole]
    public var staleAfterMonths: Int
    public var today: Day

    public init(
        areas: [AreaCode] = [], categories: [CategoryID] = [], rings: [ContinuumRing] = [], referrers: [ReferrerRole] = [],
        staleAfterMonths: Int = 12, today: Day
    ) {
        self.areas = areas
        self.categories = categories
        self.rings = rings
        self.referrers = referrers
        self.staleAfterMonths = staleAfterMonths
        self.today = today
    }
}

/// Coverage, graph findings and data quality for one question: what `servicemap gaps` prints and
/// the site's coverage pages show.
public struct GapsReport: Hashable, Codable, Sendable {
    public var today: Day
    public var staleAfterMonths: Int
    /// How services are counted for areas (see `CoverageMatrix.countingRule`).
    public var countingRule: String
    public var matrix: CoverageMatrix
    public var graphFindings: [GraphFinding]
    public var dataQuality: [DataQualityFinding]
}

extension ServiceGraph {
    /// The whole gaps report. Graph findings are given for each column of the matrix; data
    /// quality for every service that serves the areas asked about.
    public func gaps(_ options: GapsOptions) -> GapsReport {
        let scope = CoverageScope(areas: options.areas, categories: options.categories, rings: options.rings)
        let matrix = coverage(scope)
        let findings = graphFindings(GraphFindingOptions(
            areas: matrix.columns.map(\.code), referrers: options.referrers, categories: options.categories, rings: options.rings))
        let quality = dataQuality(DataQualityOptions(
            areas: options.areas, staleAfterMonths: options.staleAfterMonths, today: options.today))
        return GapsReport(today: options.today, staleAfterMonths: options.staleAfterMonths, countingRule: CoverageMatrix.countingRule,
                          matrix: matrix, graphFindings: findings, dataQuality: quality)
    }
}
