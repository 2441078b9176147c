import ArgumentParser
import Foundation
import Hummingbird
import NIOCore
import Shared
import TestSupport
import Testing

@testable import Server

/// The connection defaults of issue 14 are those the server runs with, checked on the
/// configuration it builds rather than by waiting out a timeout.
@Suite("Server defaults")
struct ServerDefaultsTests {
    @Test("serve without options closes connections idle for 30 s and caps them at 2,000")
    func connectionDefaults() throws {
        let data = try temporaryDirectory("defaults")
        let serve = try #require(
            try ServerCommand.parseAsRoot(["serve", "--data", data]) as? ServerCommand.Serve)
        let configuration = serve.serverConfiguration()
        #expect(configuration.idleTimeoutSeconds == 30)
        #expect(configuration.maxConnections == 2_000)
        #expect(configuration.sessionLimits == SessionLimits(idleDays: 30, maxDays: 180))
        let quota: Int64? = 268_435_456  // 256 MiB
        #expect(configuration.dailyQuotaBytes == quota)

        // What the HTTP channel is built with: the idle timeout and one shared connection count.
        let channel = http1Configuration(configuration)
        #expect(channel.idleTimeout == .seconds(30))
        let handlers = channel.additionalChannelHandlers()
        let limits = handlers.compactMap { $0 as? ConnectionLimitHandler }
        #expect(limits.count == 1)
        #expect(limits.first?.connections.limit == 2_000)
        let again = channel.additionalChannelHandlers().compactMap { $0 as? ConnectionLimitHandler }
        #expect(again.first.map { $0 !== limits.first } == true, "each connection gets its own handler")
        #expect(again.first?.connections === limits.first?.connections, "all connections share one count")

        // The options change them.
        let tuned = try #require(
            try ServerCommand.parseAsRoot([
                "serve", "--data", data, "--idle-timeout", "5", "--max-connections", "10",
            ]) as? ServerCommand.Serve)
        let tunedChannel = http1Configuration(tuned.serverConfiguration())
        #expect(tunedChannel.idleTimeout == .seconds(5))
        #expect(
            tunedChannel.additionalChannelHandlers().compactMap { ($0 as? ConnectionLimitHandler)?.connections.limit }
                == [10])
    }

    @Test("--trusted-proxy takes IP addresses only; a name or a typo is refused before the server starts")
    func trustedProxies() throws {
        let data = try temporaryDirectory("proxies")
        let serve = try #require(
            try ServerCommand.parseAsRoot([
                "serve", "--data", data, "--trusted-proxy", "127.0.0.1", "--trusted-proxy", "[::1]",
            ])
                as? ServerCommand.Serve)
        #expect(serve.serverConfiguration().trustedProxies == ["127.0.0.1", "[::1]"])
        for wrong in ["proxy.example.org", "127.0.0.1:8443", "10.0.0.256", ""] {
            #expect(throws: (any Error).self, "\(wrong)") {
                _ = try ServerCommand.parseAsRoot(["serve", "--data", data, "--trusted-proxy", wrong])
            }
        }
    }
}
