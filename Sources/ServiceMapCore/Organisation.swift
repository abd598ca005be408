import Foundation

/// The broad kind of provider, used to group services into sectors on the landscape map.
public enum Sector: String, Codable, Sendable, CaseIterable {
    case health
    case socialWork = "social-work"
    case educationAndEarlyYears = "education-and-early-years"
    case thirdSector = "third-sector"
    case justice

    public var label: String {
        switch self {
        case .health: "Health"
        case .socialWork: "Social work"
        case .educationAndEarlyYears: "Education and early years"
        case .thirdSector: "Third sector"
        case .justice: "Justice"
        }
    }

    public init?(parsing text: String) {
        switch Slug.make(text) {
        case "health", "nhs", "healthcare": self = .health
        case "social-work", "social-care", "local-authority", "council", "childrens-social-care", "social-services":
            self = .socialWork
        case "education", "early-years", "education-and-early-years", "education-early-years", "school", "schools":
            self = .educationAndEarlyYears
        case "third-sector", "voluntary", "charity", "voluntary-sector", "community", "vcs", "third":
            self = .thirdSector
        case "justice", "court", "courts", "legal", "childrens-hearings", "police": self = .justice
        default: return nil
        }
    }
}

/// An organisation that runs services (an NHS board, a council, a charity).
public struct Organisation: Hashable, Codable, Sendable, Identifiable {
    public var id: OrganisationID
    public var name: String
    public var sector: Sector?
    public var website: String?
    public var description: String
    public var sources: Sources

    public init(
        id: OrganisationID, name: String, sector: Sector? = nil, website: String? = nil,
        description: String = "", sources: Sources = Sources()
    ) {
        self.id = id
        self.name = name
        self.sector = sector
        self.website = website
        self.description = description
        self.sources = sources
    }
}
