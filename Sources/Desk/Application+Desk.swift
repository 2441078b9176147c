import Client
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// How a desk runs.
public struct DeskConfiguration: Sendable {
    /// The port on 127.0.0.1 (0: a free one).
    public var port: Int
    /// How often to sync while running; nil: only when asked.
    public var syncInterval: Duration?
    /// The largest evidence file the desk accepts (the server's default limit).
    public var maxFileBytes: Int

    /// The largest evidence file, by default: 25 MiB, as the server's `--max-file-bytes`.
    public static let defaultMaxFileBytes = 25 << 20

    /// A configuration.
    public init(port: Int = 0, syncInterval: Duration? = .seconds(300), maxFileBytes: Int = defaultMaxFileBytes) {
        self.port = port
        self.syncInterval = syncInterval
        self.maxFileBytes = maxFileBytes
    }
}

/// The desk's routes over `replica`, behind `DeskGuardMiddleware`.
public func buildDeskRouter(
    replica: Replica, deskGuard: DeskGuard, monitor: SyncMonitor, renderer: PageRenderer,
    maxFileBytes: Int = DeskConfiguration.defaultMaxFileBytes
) -> Router<DeskRequestContext> {
    let pages = DeskPages(replica: replica, renderer: renderer, monitor: monitor, maxFileBytes: maxFileBytes)
    let router = Router(context: DeskRequestContext.self)
    router.add(
        middleware: DeskGuardMiddleware(
            deskGuard: deskGuard, renderer: renderer, replica: replica, maxFileBytes: maxFileBytes))
    router.get("/") { request, context in try pages.home(request, context: context) }
    router.get("/desk.css") { _, _ in
        let css = try String(
            contentsOf: Catalog.resources!.appendingPathComponent("desk.css"), encoding: .utf8)
        return Response(
            status: .ok, headers: [.contentType: "text/css; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: css)))
    }
    router.get("/recommendations") { request, context in try pages.recommendations(request, context: context) }
    router.get("/recommendations/:id") { request, context in
        try pages.recommendation(try context.parameters.require("id"), request: request, context: context)
    }
    for kind in DeskForm.Kind.allCases {
        let path: RouterPath =
            switch kind {
            case .progress: "/actions/:id/progress"
            case .edit: "/actions/:id/edit"
            case .answer: "/questions/:id/answer"
            default: RouterPath("/recommendations/:id/\(kind.rawValue)")
            }
        router.get(path) { request, context in
            try pages.form(kind, target: try context.parameters.require("id"), request: request, context: context)
        }
        router.post(path) { request, context in
            try pages.submit(kind, target: try context.parameters.require("id"), request: request, context: context)
        }
    }
    router.get("/evidence/:table/:id") { request, context in
        try pages.evidenceForm(
            table: try context.parameters.require("table"), id: try context.parameters.require("id"),
            request: request, context: context)
    }
    router.post("/evidence/:table/:id") { request, context in
        try pages.attachEvidence(
            table: try context.parameters.require("table"), id: try context.parameters.require("id"),
            request: request, context: context)
    }
    router.get("/history/:table/:id") { request, context in
        try await pages.history(
            table: try context.parameters.require("table"), id: try context.parameters.require("id"),
            request: request, context: context)
    }
    router.get("/keys") { request, context in try pages.keys(request, context: context) }
    router.post("/keys") { request, context in try pages.trustKey(request, context: context) }
    router.post("/keys/verify") { request, context in try await pages.verifyAudit(request, context: context) }
    router.get("/files/:id") { request, context in
        try pages.openFile(try context.parameters.require("id"), request: request, context: context)
    }
    router.get("/import") { request, context in try pages.importForm(request: request, context: context) }
    router.post("/import") { request, context in try pages.importFile(request: request, context: context) }
    router.get("/clusters") { request, context in try pages.clusters(request: request, context: context) }
    router.post("/clusters") { request, context in try pages.createCluster(request: request, context: context) }
    router.get("/clusters/:id") { request, context in
        try pages.cluster(try context.parameters.require("id"), request: request, context: context)
    }
    router.post("/clusters/:id/members") { request, context in
        try pages.addToCluster(try context.parameters.require("id"), request: request, context: context)
    }
    router.post("/clusters/:id/assignment") { request, context in
        try pages.assignCluster(try context.parameters.require("id"), request: request, context: context)
    }
    router.get("/reports") { request, context in try pages.reports(request, context: context) }
    router.get("/reports/:kind") { request, context in
        try pages.downloadReport(try context.parameters.require("kind"), request: request, context: context)
    }
    router.get("/export/recommendations") { request, context in try pages.downloadExport(request, context: context) }
    router.post("/move") { request, context in try pages.move(request, context: context) }
    router.get("/dashboards") { request, context in try pages.dashboards(request, context: context) }
    router.get("/sync") { request, context in try pages.syncPage(request, context: context) }
    router.post("/sync") { request, context in try await pages.syncNow(request, context: context) }
    router.post("/refused") { request, context in try pages.settleRefused(request, context: context) }
    router.post("/language") { request, context in try pages.chooseLanguage(request, context: context) }
    return router
}

/// The desk as an application: the routes on 127.0.0.1 only, and the periodic sync as a service.
///
/// `onReady` receives the address to open (with the one-time secret) once the port is bound.
public func buildDeskApplication(
    replica: Replica, configuration: DeskConfiguration, logger: Logger,
    onReady: @escaping @Sendable (String) -> Void
) throws -> some ApplicationProtocol {
    let deskGuard = DeskGuard(hosts: [])
    let monitor = SyncMonitor(logger: logger)
    let router = buildDeskRouter(
        replica: replica, deskGuard: deskGuard, monitor: monitor, renderer: try PageRenderer(),
        maxFileBytes: configuration.maxFileBytes)
    var services: [any Service] = []
    if let interval = configuration.syncInterval {
        services.append(DeskSyncService(replica: replica, monitor: monitor, interval: interval))
    }
    return Application(
        router: router,
        configuration: .init(address: .hostname("127.0.0.1", port: configuration.port), serverName: nil),
        services: services,
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            deskGuard.listen(onPort: port)
            logger.info("desk.started", metadata: ["desk.port": "\(port)"])
            onReady("http://127.0.0.1:\(port)/enter?key=\(deskGuard.entrySecret)")
        },
        logger: logger)
}
