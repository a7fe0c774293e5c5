import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import WardCrypto

/// The web client (the repository's `Web/` folder, issue 18), read once at start and served from
/// memory on the appliance's one TLS listener. Each file gets a route of its own, so no path a
/// browser sends ever reaches the filesystem.
public struct WebClientFiles: Sendable {
    struct File: Sendable {
        let bytes: ByteBuffer
        let contentType: String
        /// A strong validator (RFC 9110 §8.8.3): the content's SHA-256, so a browser revalidates
        /// each file with one small request and gets 304 when nothing changed.
        let entityTag: String
    }

    /// Route path ("/app/main.js") to file; "/" is index.html.
    let files: [String: File]

    /// The media types of what the client is made of; other files in the folder are not served.
    static let contentTypes = [
        "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
        "webmanifest": "application/manifest+json", "json": "application/json", "png": "image/png", "svg": "image/svg+xml",
        "txt": "text/plain; charset=utf-8"
    ]

    /// Reads every servable file under `directory`. Names are limited to letters, digits, `.`,
    /// `_`, `-` and `/`, so none is read by the router as a parameter or wildcard.
    public static func load(from directory: String) throws -> WebClientFiles {
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            throw ServerError.unreadable("\(directory) (the web client's folder, --web)")
        }
        var files: [String: File] = [:]
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                let contentType = contentTypes[url.pathExtension]
            else { continue }
            let relative = String(url.standardizedFileURL.path.dropFirst(root.path.count))
            guard relative.hasPrefix("/"), relative.utf8.allSatisfy(isRouteByte) else { continue }
            guard let data = FileManager.default.contents(atPath: url.path) else { throw ServerError.unreadable(url.path) }
            let bytes = Array(data)
            files[relative] = File(
                bytes: ByteBuffer(bytes: bytes), contentType: contentType,
                entityTag: "\"" + Hex.encode(SHA256Hash.digest(bytes).prefix(16)) + "\"")
        }
        guard let index = files["/index.html"] else { throw ServerError.unreadable("\(directory)/index.html (the web client's folder, --web)") }
        files["/"] = index
        return WebClientFiles(files: files)
    }

    private static func isRouteByte(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || [46, 95, 45, 47].contains(byte)
    }

    /// Adds a GET route for every file.
    func addRoutes(to router: Router<BasicRequestContext>) {
        for (path, file) in files {
            router.get(RouterPath(stringLiteral: path)) { request, _ -> Response in
                if request.headers[.ifNoneMatch] == file.entityTag { return Response(status: .notModified, headers: [.eTag: file.entityTag]) }
                return Response(
                    status: .ok, headers: [.contentType: file.contentType, .eTag: file.entityTag, .cacheControl: "no-cache"],
                    body: .init(byteBuffer: file.bytes))
            }
        }
    }
}

/// The headers on everything the listener answers over HTTP (issue 18): the web client's files,
/// /healthz, /metrics, the checkpoint and every error. The policy allows scripts, styles, images
/// and connections from the appliance only — no inline script or style, no eval, no framing.
enum SecurityHeaderFields {
    static let pairs = [
        (
            "Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
                + "manifest-src 'self'; worker-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        ),
        // Two years: the appliance is only ever served over TLS (RFC 6797 §6.1.1).
        ("Strict-Transport-Security", "max-age=63072000"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Content-Type-Options", "nosniff"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin")
    ]
    static let fields = HTTPFields(pairs.compactMap { name, value in HTTPField.Name(name).map { HTTPField(name: $0, value: value) } })
}

struct SecurityHeaders<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        for field in SecurityHeaderFields.fields { response.headers[field.name] = field.value }
        return response
    }
}
