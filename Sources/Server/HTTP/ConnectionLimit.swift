import NIOCore
import Synchronization

/// The open connections of one server process, counted so that a flood of idle ones cannot
/// starve real clients.
final class OpenConnections: Sendable {
    /// The most connections open at once; more are closed as soon as they arrive.
    let limit: Int
    private let count = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts a new connection in; false when it is one too many (it is not counted).
    func admit() -> Bool {
        let (open, _) = count.add(1, ordering: .relaxed)
        guard open > limit else { return true }
        count.subtract(1, ordering: .relaxed)
        return false
    }

    /// Counts a closed connection out.
    func release() {
        count.subtract(1, ordering: .relaxed)
    }
}

/// Closes a connection at once when the server already holds its limit of open connections.
final class ConnectionLimitHandler: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = NIOAny

    /// The count this handler's connection joins.
    let connections: OpenConnections
    private let admitted = Atomic<Bool>(false)

    init(connections: OpenConnections) {
        self.connections = connections
    }

    func channelActive(context: ChannelHandlerContext) {
        admit(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if admitted.exchange(false, ordering: .relaxed) { connections.release() }
        context.fireChannelInactive()
    }

    private func admit(_ context: ChannelHandlerContext) {
        if connections.admit() {
            admitted.store(true, ordering: .relaxed)
        } else {
            context.close(promise: nil)
        }
    }
}
