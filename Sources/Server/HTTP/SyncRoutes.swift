import Hummingbird
import Logging
import Shared

/// The routes of protocol v1: health, login, push and pull.
///
/// Handlers take and return protocol
/// messages; the contexts' wire codec reads and writes them.
struct SyncRoutes {
    let sync: SyncService
    let identity: IdentityService
    let clock: any WallClock

    func add(to router: Router<FollowupRequestContext>) {
        let v1 = router.group("v1")
        v1.get("health") { _, _ in
            HealthResponse(serverTime: clock.nowMillis())
        }
        v1.post("login") { request, context in
            let answer = try await identity.login(try await request.decode(as: LoginRequest.self, context: context))
            context.logger.info(
                "auth.login", metadata: ["auth.user": .string(answer.user), "auth.replica": .string(answer.replica)])
            return answer
        }
        let authenticated = v1.group()
            .add(middleware: BearerAuthMiddleware(identity: identity))
            .group(context: AuthenticatedRequestContext.self)
        authenticated.post("push") { request, context in
            let push = try await request.decode(as: PushRequest.self, context: context)
            let response = try await sync.push(push, session: context.session)
            let rejected = response.verdicts.filter { $0.status == .rejected }.count
            context.logger.info(
                "sync.push", metadata: ["sync.push.ops": "\(push.ops.count)", "sync.push.rejected": "\(rejected)"])
            return response
        }
        authenticated.post("pull") { request, context in
            let pull = try await request.decode(as: PullRequest.self, context: context)
            let response = try await sync.pull(pull, session: context.session)
            context.logger.debug(
                "sync.pull",
                metadata: ["sync.pull.cursor": "\(pull.cursor)", "sync.pull.changes": "\(response.changes.count)"])
            return response
        }
    }
}
