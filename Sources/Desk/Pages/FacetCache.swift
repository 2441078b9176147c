import Client
import Synchronization

/// The values the recommendations take (for the filters' lists), kept between pages.
///
/// Reading them scans every recommendation (tens of milliseconds for 23,000); they change when a
/// sync brings recommendations, which the monitor counts, or through a command run beside the
/// desk, which a minute's lifetime covers. Stale lists only offer a filter value too many or too
/// few; the matches are always read afresh.
final class FacetCache: Sendable {
    private struct Entry {
        var facets: RecommendationFacets
        var syncs: Int
        var at: ContinuousClock.Instant
    }

    private let entry = Mutex<Entry?>(nil)
    /// How long facets are kept without a sync.
    static let lifetime = Duration.seconds(60)

    /// The facets of `replica`, read again after a sync or once they are a minute old.
    func facets(_ replica: Replica, syncs: Int) throws -> RecommendationFacets {
        let now = ContinuousClock.now
        if let cached = entry.withLock({ $0 }), cached.syncs == syncs, now - cached.at < Self.lifetime {
            return cached.facets
        }
        let facets = try replica.recommendationFacets()
        entry.withLock { $0 = Entry(facets: facets, syncs: syncs, at: now) }
        return facets
    }
}
