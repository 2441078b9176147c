import Client
import Foundation
import Hummingbird
import Logging
import NIOCore

/// Lets through only requests meant for this desk, from the browser that opened it with the
/// printed address, and POSTs carrying the page's CSRF token; answers every request with the
/// security headers.
///
/// In order: a Host header other than the desk's own is refused (421); `/enter?key=SECRET`
/// trades the one-time secret for an HttpOnly, SameSite=Strict session cookie; every other
/// request without that cookie is refused (403); a POST's form is read and its `csrf` field
/// checked before any handler runs (403, nothing changes).
struct DeskGuardMiddleware: RouterMiddleware {
    typealias Context = DeskRequestContext

    let deskGuard: DeskGuard
    let renderer: PageRenderer
    /// The replica, which keeps the user's language.
    let replica: Replica
    /// The largest file a form may post (`multipart/form-data`).
    let maxFileBytes: Int
    /// The cookie remembering the user's language, when the replica keeps none.
    static let languageCookie = "followup_lang"
    /// The name of the user's language among the replica's preferences.
    static let languagePreference = "desk.language"
    /// The largest form accepted.
    static let maxFormBytes = 1 << 20
    /// What a multipart form may carry beside its file: the other fields and the parts' headers.
    static let multipartOverhead = 64 << 10
    /// The security headers of a file opened from the desk: no script, no plugin, no form, no
    /// same-origin access (a sandboxed document), whatever the file holds.
    static let fileContentSecurityPolicy = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        // The language the signed-in user chose, kept in the replica; the cookie when none.
        let stored = (try? replica.preference(Self.languagePreference)) ?? nil
        if let language = stored ?? request.cookies[Self.languageCookie]?.value,
            Catalog.languages.contains(language)
        {
            context.language = language
        }
        var response: Response
        do {
            response = try await guarded(request, context: context, next: next)
        } catch let error as DeskError {
            context.logger.notice(
                "desk.request.refused",
                metadata: [
                    "desk.refusal.code": "\(error.code.rawValue)", "desk.request.path": "\(request.uri.path)",
                ])
            response = errorPage(error, language: context.language)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        } catch {
            context.logger.error(
                "desk.request.failed",
                metadata: ["desk.request.path": "\(request.uri.path)", "desk.error": "\(error)"])
            response = errorPage(DeskError(.failed), language: context.language)
        }
        // A file response brings its own, stricter policy (a sandbox).
        if response.headers[.contentSecurityPolicy] == nil {
            response.headers[.contentSecurityPolicy] =
                "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
        response.headers[.cacheControl] = "no-store"
        return response
    }

    private func guarded(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var request = request
        var context = context
        guard deskGuard.answers(host: request.head.authority) else { throw DeskError(.wrongHost) }
        if request.uri.path == "/enter" {
            guard let secret = request.uri.queryParameters["key"].map(String.init),
                let session = deskGuard.enter(with: secret)
            else { throw DeskError(.entryRefused) }
            context.logger.info("desk.session.opened")
            var response = Response.redirect(to: "/", type: .normal)
            response.setCookie(
                Cookie(name: deskGuard.cookieName, value: session, path: "/", httpOnly: true, sameSite: .strict))
            return response
        }
        guard let session = request.cookies[deskGuard.cookieName]?.value, deskGuard.isSession(session) else {
            throw DeskError(.noSession)
        }
        context.csrfToken = deskGuard.csrfToken(forSession: session)
        if request.method == .post {
            let boundary = MultipartForm.boundary(ofContentType: request.headers[.contentType])
            let limit = boundary == nil ? Self.maxFormBytes : maxFileBytes + Self.multipartOverhead
            if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
                throw DeskError(boundary == nil ? .badForm : .fileTooLarge)
            }
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: limit)
            } catch {
                throw DeskError(boundary == nil ? .badForm : .fileTooLarge)
            }
            // The token is checked on the whole body, held in memory, before anything is stored.
            var files: [UploadedFile] = []
            let form: FormValues
            if let boundary {
                let multipart = try MultipartForm(body: body, boundary: boundary)
                form = multipart.fields
                files = multipart.files
            } else {
                form = FormValues(urlEncoded: String(buffer: body))
            }
            guard let token = form["csrf"], DeskGuard.equal(token, context.csrfToken) else {
                throw DeskError(.csrf)
            }
            guard files.allSatisfy({ $0.bytes.readableBytes <= maxFileBytes }) else {
                throw DeskError(.fileTooLarge)
            }
            context.form = form
            context.files = files
        }
        return try await next(request, context)
    }

    private func errorPage(_ error: DeskError, language: String) -> Response {
        let catalog = renderer.catalog(language)
        let page = renderer.render(
            "error",
            [
                "lang": catalog.language, "dir": catalog.direction, "title": catalog["error_title"],
                "message": catalog[error.messageKey], "code": error.code.rawValue,
                "t": catalog.strings,
            ])
        return Response(
            status: error.status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: page)))
    }
}
