import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Which address a request comes from, for throttling and security logs.
///
/// The connected peer, unless the peer is a proxy the operator trusts (`--trusted-proxy`):
/// then the address that proxy appended to `X-Forwarded-For`. Behind a TLS proxy every peer is
/// the proxy, so without this one attacker's failed sign-ins would hold everyone's.
public struct ClientAddressRule: Sendable, Equatable {
    /// The addresses of the proxies whose `X-Forwarded-For` is believed, as the server sees them.
    public var trustedProxies: Set<String>

    /// Creates a rule trusting `trustedProxies` (none by default: the peer is the client).
    public init(trustedProxies: Set<String> = []) {
        self.trustedProxies = Set(trustedProxies.map(Self.normalised))
    }

    /// The client's address for a request from `peer` with these `X-Forwarded-For` values.
    ///
    /// From a trusted proxy, the right-most address of the header that is not itself a trusted
    /// proxy: the entries to its left were written by the client and may be forged. A header
    /// that is missing or holds no address there leaves the peer. From any other peer the
    /// header is ignored, so a client cannot choose its own address.
    public func client(peer: String?, forwardedFor: [String]) -> String {
        guard let peer else { return "unknown" }
        guard trustedProxies.contains(Self.normalised(peer)) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { Self.normalised(String($0)) }
        for hop in hops.reversed() where !trustedProxies.contains(hop) {
            return Self.isAddress(hop) ? hop : peer
        }
        return peer
    }

    /// Whether `text` is an IPv4 or IPv6 address (IPv6 with or without brackets).
    public static func isAddress(_ text: String) -> Bool {
        (try? SocketAddress(ipAddress: normalised(text), port: 0)) != nil
    }

    /// An address without spaces, IPv6 brackets or upper case.
    static func normalised(_ address: String) -> String {
        address.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            .lowercased()
    }
}

/// Puts the server's configured limits and the caller's address into each request's context.
struct RequestSetupMiddleware: RouterMiddleware {
    typealias Context = FollowupRequestContext

    let limits: WireLimits
    let addresses: ClientAddressRule

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.requestDecoder = WireRequestDecoder(limits: limits)
        context.clientAddress = addresses.client(
            peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[values: .xForwardedFor])
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    /// `X-Forwarded-For`: the addresses a request was forwarded for, written by proxies.
    static let xForwardedFor = Self("X-Forwarded-For")!
}
