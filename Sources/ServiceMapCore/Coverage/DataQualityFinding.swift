import Foundation

/// A record a researcher should look at again: stale, never verified, or missing what a family
/// or the coverage matrix needs.
public struct DataQualityFinding: Hashable, Codable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// Last verified longer ago than the threshold.
        case stale
        /// No verification date at all.
        case neverVerified = "never-verified"
        /// No referral route into the service: nobody knows how a family gets there.
        case missingReferralRoutes = "missing-referral-routes"
        /// No age range: it cannot be matched to a child's age.
        case missingAges = "missing-ages"
        /// No level of need: it sits under "level not stated" in every matrix.
        case missingLevels = "missing-levels"
        /// No area: it counts for no area in any matrix.
        case missingArea = "missing-area"

        public var label: String {
            switch self {
            case .stale: "Stale"
            case .neverVerified: "Never verified"
            case .missingReferralRoutes: "No referral route"
            case .missingAges: "No ages"
            case .missingLevels: "No level of need"
            case .missingArea: "No area"
            }
        }
    }

    public var kind: Kind
    public var service: ServiceID
    public var name: String
    public var lastVerified: Day?
    /// Where the record was read from, for the researcher to fix it.
    public var source: SourceLocation?
    public var message: String
}

/// Thresholds for data quality.
public struct DataQualityOptions: Hashable, Codable, Sendable {
    /// The areas whose services are checked; empty means every service.
    public var areas: [AreaCode]
    /// A record is stale when last verified more than this many months before `today`.
    public var staleAfterMonths: Int
    public var today: Day

    public init(areas: [AreaCode] = [], staleAfterMonths: Int = 12, today: Day) {
        self.areas = areas
        self.staleAfterMonths = staleAfterMonths
        self.today = today
    }
}

extension Day {
    /// The same day `months` months later (earlier when negative), clamped to the month's length.
    public func adding(months: Int) -> Day {
        let total = year * 12 + (month - 1) + months
        let y = total / 12, m = total % 12 + 1
        return Day(year: y, month: m, day: min(day, Day.daysIn(month: m, year: y)))
    }
}

extension ServiceGraph {
    /// Data-quality findings, by service name then kind. Services with no area are checked only
    /// when no area is asked for (they belong to none).
    public func dataQuality(_ options: DataQualityOptions) -> [DataQualityFinding] {
        CoverageBasis(self).dataQuality(options)
    }
}

extension CoverageBasis {
    /// `ServiceGraph.dataQuality(_:)`, answered from the basis.
    public func dataQuality(_ options: DataQualityOptions) -> [DataQualityFinding] {
        let cutoff = options.today.adding(months: -options.staleAfterMonths)
        let scopes = options.areas
        var findings: [DataQualityFinding] = []
        // The services that serve any area asked about (every service when none is), in name order.
        let positions: [Int]
        if scopes.isEmpty {
            positions = Array(byName.indices)
        } else {
            positions = Set(scopes.flatMap(serving)).sorted()
        }
        for i in positions where byName[i].status != .closed {
            // Most services have nothing to report, and are passed over at once.
            let verified = byName[i].lastVerified
            let stale = verified.map { $0 < cutoff } ?? true
            guard stale || routesIntoPosition[i].isEmpty || byName[i].ages == nil || byName[i].levels.isEmpty
                || (byName[i].areas.isEmpty && scopes.isEmpty) else { continue }
            // Fields are read in place: a copy of the service would retain each of them.
            func add(_ kind: DataQualityFinding.Kind, _ field: String?, _ message: String) {
                let source = field.flatMap { byName[i].sources.fields[$0] } ?? byName[i].sources.locations.first
                findings.append(DataQualityFinding(kind: kind, service: byName[i].id, name: byName[i].name,
                                                   lastVerified: byName[i].lastVerified, source: source, message: message))
            }
            if let verified = byName[i].lastVerified {
                if verified < cutoff {
                    let months = verified.months(until: options.today)
                    add(.stale, "last verified", "\(byName[i].name) was last verified on \(verified), \(months) months before \(options.today) "
                        + "(more than \(options.staleAfterMonths) months): check it is still running and its details are right.")
                }
            } else {
                add(.neverVerified, "last verified", "\(byName[i].name) has never been verified: the site shows its details as \"not yet verified\".")
            }
            if routesIntoPosition[i].isEmpty {
                add(.missingReferralRoutes, "referred-by",
                    "\(byName[i].name) has no referral route: neither self-referral nor any referrer is recorded, so no search by referrer finds it.")
            }
            if byName[i].ages == nil {
                add(.missingAges, "ages", "\(byName[i].name) has no age range: searches by a child's age show it with \"ages not stated\".")
            }
            if byName[i].levels.isEmpty {
                add(.missingLevels, "levels", "\(byName[i].name) has no level of need: coverage counts it under \"level not stated\".")
            }
            if byName[i].areas.isEmpty && scopes.isEmpty {
                add(.missingArea, "area", "\(byName[i].name) has no area: it counts for no area in the coverage matrices.")
            }
        }
        return findings
    }
}
