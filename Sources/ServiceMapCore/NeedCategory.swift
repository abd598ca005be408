import Foundation

/// A category in the hierarchical taxonomy of needs (`perinatal-mental-health` under `parental-mental-health`).
public struct NeedCategory: Hashable, Codable, Sendable, Identifiable {
    public var id: CategoryID
    public var name: String
    public var parent: CategoryID?
    /// Other words people use for this need, matched when importing and searching.
    public var synonyms: [String]

    public init(id: CategoryID, name: String, parent: CategoryID? = nil, synonyms: [String] = []) {
        self.id = id
        self.name = name
        self.parent = parent
        self.synonyms = synonyms
    }
}

extension NeedCategory {
    /// The taxonomy servicemap starts from: the needs the seed documents name. Data may add more.
    public static let standard: [NeedCategory] = [
        NeedCategory(id: "parental-mental-health", name: "Parental mental health",
                     synonyms: ["adult mental health", "mental health", "low mood", "depression", "anxiety", "amh"]),
        NeedCategory(id: "perinatal-mental-health", name: "Perinatal mental health", parent: "parental-mental-health",
                     synonyms: ["postnatal depression", "antenatal mental health", "maternal mental health"]),
        NeedCategory(id: "infant-mental-health", name: "Infant mental health",
                     synonyms: ["imh", "parent-infant relationship", "attachment", "infant"]),
        NeedCategory(id: "child-mental-health", name: "Child mental health",
                     synonyms: ["camhs", "children's mental health", "young people's mental health"]),
        NeedCategory(id: "substance-use", name: "Drug and alcohol use",
                     synonyms: ["substance use", "substance misuse", "drugs", "alcohol", "d&a", "addiction", "addictions",
                                "drug and alcohol"]),
        NeedCategory(id: "domestic-abuse", name: "Domestic abuse",
                     synonyms: ["domestic violence", "dv", "da", "refuge", "coercive control"]),
        NeedCategory(id: "neurodevelopmental", name: "Neurodevelopmental conditions",
                     synonyms: ["autism", "adhd", "asd", "neurodiversity", "ndc", "neurodevelopmental"]),
        NeedCategory(id: "disability", name: "Disability",
                     synonyms: ["children's disability", "learning disability", "physical disability", "additional support needs"]),
        NeedCategory(id: "poverty-and-housing", name: "Poverty and housing",
                     synonyms: ["poverty", "housing", "debt", "money", "benefits", "income", "homelessness", "food"]),
        NeedCategory(id: "parenting", name: "Parenting support",
                     synonyms: ["parenting", "parenting programme", "parenting course", "family support"]),
        NeedCategory(id: "early-years", name: "Early years and play",
                     synonyms: ["early learning", "play", "stay and play", "childcare", "nursery", "bookbug", "early years"]),
        NeedCategory(id: "perinatal", name: "Perinatal: pregnancy and the first year",
                     synonyms: ["perinatal", "pregnancy", "antenatal", "postnatal", "maternity", "midwifery", "birth"]),
        NeedCategory(id: "child-health", name: "Child health and development",
                     synonyms: ["health visiting", "child development", "health"]),
        NeedCategory(id: "safeguarding", name: "Safeguarding and child protection",
                     synonyms: ["child protection", "safeguarding", "social work", "child welfare"]),
        NeedCategory(id: "family-justice", name: "Family courts and hearings",
                     synonyms: ["court", "family court", "care proceedings", "children's hearings", "hearings"]),
        NeedCategory(id: "social-isolation", name: "Social isolation and befriending",
                     synonyms: ["isolation", "befriending", "peer support", "loneliness"]),
    ]
}
