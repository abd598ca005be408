import Foundation

/// One level of an area's own need framework (Bromley's "Level 2", Scotland's "Additional support"),
/// mapped onto the common continuum so areas can be compared.
public struct LevelOfNeed: Hashable, Codable, Sendable, Identifiable {
    public var id: LevelID
    /// The area whose framework this level belongs to; it applies to that area and all its sub-areas.
    public var area: AreaCode
    public var name: String
    /// Position within the framework, 1 = least need.
    public var order: Int
    /// The ring of the continuum this level maps to; nil is a data error (`level-without-ring`).
    public var ring: ContinuumRing?
    public var description: String
    public var sources: Sources

    public init(
        id: LevelID, area: AreaCode, name: String, order: Int, ring: ContinuumRing?,
        description: String = "", sources: Sources = Sources()
    ) {
        self.id = id
        self.area = area
        self.name = name
        self.order = order
        self.ring = ring
        self.description = description
        self.sources = sources
    }

    /// True when services at this level are statutory social work on the common scale.
    public var isStatutory: Bool { ring?.isStatutory ?? false }
}
