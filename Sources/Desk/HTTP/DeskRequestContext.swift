import Hummingbird

/// The request context of the desk: Hummingbird's core storage, and what `DeskGuardMiddleware`
/// established: the session, its CSRF token, the user's language and a POST's checked form.
public struct DeskRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The CSRF token every form of the page must carry.
    public var csrfToken = ""
    /// The user's language (a catalog code: ar, en, es, fr, ru, zh).
    public var language = Catalog.defaultLanguage
    /// The fields of a POST whose CSRF token was checked; empty otherwise.
    public var form = FormValues()
    /// The files of a `multipart/form-data` POST whose CSRF token was checked; empty otherwise.
    public var files: [UploadedFile] = []

    /// Creates the context for a new request.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}
