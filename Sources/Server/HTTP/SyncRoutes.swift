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
            let login = try await request.decode(as: LoginRequest.self, context: context)
            let address = context.clientAddress
            // The name is the caller's text: quoted and escaped, and cut, in the log.
            let user = Logger.MetadataValue.string(String(login.user.prefix(64)).debugDescription)
            do {
                let answer = try await identity.login(login, from: address)
                context.logger.info(
                    "auth.login",
                    metadata: [
                        "auth.user": .string(answer.user), "auth.replica": .string(answer.replica),
                        "auth.address": .string(address),
                    ])
                return answer
            } catch let refusal as LoginRefusal {
                let reason: String
                switch refusal {
                case .throttled(let seconds): reason = "throttled \(seconds) s"
                case .wrongCredentials(let known): reason = known ? "wrong password" : "unknown account"
                }
                context.logger.warning(
                    "auth.login.refused",
                    metadata: ["auth.user": user, "auth.address": .string(address), "auth.reason": .string(reason)])
                throw APIError(refusal)
            } catch let error as ServiceError where error.code == .accountDisabled {
                context.logger.warning(
                    "auth.login.refused",
                    metadata: ["auth.user": user, "auth.address": .string(address), "auth.reason": "account disabled"])
                throw error
            }
        }
        let authenticated = v1.group()
            .add(middleware: BearerAuthMiddleware(identity: identity))
            .group(context: AuthenticatedRequestContext.self)
        authenticated.post("push") { request, context in
            let push = try await request.decode(as: PushRequest.self, context: context)
            let response = try await sync.push(push, session: context.session)
            let rejected = response.verdicts.filter { $0.status == .rejected }
            context.logger.info(
                "sync.push",
                metadata: ["sync.push.ops": "\(push.ops.count)", "sync.push.rejected": "\(rejected.count)"])
            if !rejected.isEmpty {
                // Refusals are what an attack looks like: who, from where, and which codes.
                let codes = Dictionary(grouping: rejected, by: { $0.code?.rawValue ?? "rejected" })
                    .map { "\($0.key)=\($0.value.count)" }.sorted().joined(separator: ",")
                context.logger.notice(
                    "sync.push.refused",
                    metadata: [
                        "auth.user": .string(context.session.user), "auth.org": .string(context.session.org),
                        "auth.replica": .string(context.session.replica),
                        "auth.address": .string(context.clientAddress),
                        "sync.push.codes": .string(codes),
                    ])
            }
            return response
        }
        authenticated.post("password") { request, context in
            let change = try await request.decode(as: PasswordChangeRequest.self, context: context)
            let address = context.clientAddress
            do {
                let answer = try await identity.changePassword(
                    change, session: context.session, keeping: context.tokenHash, from: address)
                context.logger.notice(
                    "auth.password.changed",
                    metadata: [
                        "auth.address": .string(address), "auth.revoked": .string("\(answer.revokedSessions)"),
                    ])
                return answer
            } catch let refusal as LoginRefusal {
                context.logger.warning(
                    "auth.password.refused",
                    metadata: ["auth.address": .string(address), "auth.reason": .string("\(refusal)")])
                throw APIError(refusal)
            }
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
