/// Settings of one server process.
public struct ServerConfiguration: Sendable {
    /// The address to listen on.
    public var host: String
    /// The port to listen on (0 picks a free one).
    public var port: Int
    /// The largest request body accepted, in bytes, after decompression.
    public var maxBodyBytes: Int
    /// How far ahead of the server's clock an operation's HLC may be, in milliseconds.
    public var maxClockSkewMillis: Int64

    /// Creates a configuration.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 8 * 1024 * 1024,
        maxClockSkewMillis: Int64 = 5 * 60 * 1000
    ) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.maxClockSkewMillis = maxClockSkewMillis
    }
}
