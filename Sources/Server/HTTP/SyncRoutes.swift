import Hummingbird
import Logging
import Shared

/// The routes of protocol v1: health, login, push and pull.
struct SyncRoutes {
    let sync: SyncService
    let identity: IdentityService
    let configuration: ServerConfiguration
    let clock: any WallClock

    func add(to router: Router<FollowupRequestContext>) {
        let v1 = router.group("v1")
        v1.get("health") { request, _ in
            try WireResponse.json(HealthResponse(serverTime: clock.nowMillis()), for: request)
        }
        v1.post("login") { request, context in
            let login = try await request.decodeWireBody(LoginRequest.self, maxBytes: 64 * 1024)
            let answer = try await identity.login(login)
            context.logger.info(
                "auth.login", metadata: ["auth.user": .string(answer.user), "auth.replica": .string(answer.replica)])
            return try WireResponse.json(answer, for: request)
        }
        let authenticated = v1.group().add(middleware: BearerAuthMiddleware(identity: identity))
        authenticated.post("push") { request, context in
            try await push(request, context: context)
        }
        authenticated.post("pull") { request, context in
            try await pull(request, context: context)
        }
    }

    func push(_ request: Request, context: FollowupRequestContext) async throws -> Response {
        guard let session = context.session else { throw APIError(.unauthorized, "sign in first") }
        let push = try await request.decodeWireBody(PushRequest.self, maxBytes: configuration.maxBodyBytes)
        let response = try await sync.push(push, session: session)
        let rejected = response.verdicts.filter { $0.status == .rejected }.count
        context.logger.info(
            "sync.push",
            metadata: ["sync.push.ops": "\(push.ops.count)", "sync.push.rejected": "\(rejected)"])
        return try WireResponse.json(response, for: request)
    }

    func pull(_ request: Request, context: FollowupRequestContext) async throws -> Response {
        guard let session = context.session else { throw APIError(.unauthorized, "sign in first") }
        let pull = try await request.decodeWireBody(PullRequest.self, maxBytes: 64 * 1024)
        let response = try await sync.pull(pull, session: session)
        context.logger.debug(
            "sync.pull",
            metadata: ["sync.pull.cursor": "\(pull.cursor)", "sync.pull.changes": "\(response.changes.count)"])
        return WireResponse.json(bytes: WireJSON.encode(response), for: request)
    }
}
