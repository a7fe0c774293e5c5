import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import WardCrypto

/// The root of the certificate chain a server presents, read without trusting it, so that a
/// person can compare its fingerprint with the one the appliance printed and pin it (trust on
/// first use, as ssh does). A Ward appliance presents its leaf and the CA made for it alone; the
/// CA is what is pinned, and it verifies the leaf, host name included, on every later connection.
public struct ServerCertificate: Sendable, Hashable {
    public let pem: String
    /// `SHA256:` and the colon-separated hex of the certificate's DER encoding (as ward-server prints it).
    public let fingerprint: String

    public init(der: [UInt8]) {
        let body = Base64.encode(der)
        var lines: [Substring] = []
        var rest = Substring(body)
        while !rest.isEmpty {
            lines.append(rest.prefix(64))
            rest = rest.dropFirst(64)
        }
        pem = "-----BEGIN CERTIFICATE-----\n" + lines.joined(separator: "\n") + "\n-----END CERTIFICATE-----\n"
        fingerprint = Self.fingerprint(der: der)
    }

    public static func fingerprint(der: [UInt8]) -> String {
        "SHA256:"
            + SHA256Hash.digest(der).map { byte in
                let digits = String(byte, radix: 16, uppercase: true)
                return digits.count == 1 ? "0" + digits : digits
            }.joined(separator: ":")
    }

    /// The fingerprint of the root of the chain in `pem`: its last certificate.
    public static func fingerprint(pem: String) throws -> String {
        fingerprint(der: try root(pem: pem).toDERBytes())
    }

    /// The root of a chain file (leaf first, root last): what is pinned.
    public init(rootOf pem: String) throws {
        self.init(der: try Self.root(pem: pem).toDERBytes())
    }

    /// The last certificate of a chain file (leaf first, root last), or its only one.
    static func root(pem: String) throws -> NIOSSLCertificate {
        guard let certificate = try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)).last else {
            throw WardClientError.unexpectedReply("no certificate in the PEM text")
        }
        return certificate
    }

    /// Connects to `host:port` with TLS, verifying nothing, and returns the root of the chain
    /// presented.
    public static func fetch(host: String, port: Int) async throws -> ServerCertificate {
        var configuration = TLSConfiguration.makeClientConfiguration()
        // The callback below accepts whatever is presented (nothing is sent over this
        // connection); it runs only when verification is on, and it is what sees the chain.
        configuration.certificateVerification = .noHostnameVerification
        configuration.minimumTLSVersion = .tlsv13
        let context = try NIOSSLContext(configuration: configuration)
        let group = MultiThreadedEventLoopGroup.singleton
        let handshake = group.next().makePromise(of: ServerCertificate.self)
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let presented = PresentedCertificate(promise: handshake)
                    let tls = try NIOSSLClientHandler(context: context, serverHostname: nil) { chain, verdict in
                        presented.chain = chain
                        verdict.succeed(.certificateVerified)
                    }
                    try channel.pipeline.syncOperations.addHandler(tls)
                    try channel.pipeline.syncOperations.addHandler(presented)
                }
            }
            .connect(host: host, port: port).get()
        defer { channel.close(promise: nil) }
        let timeout = channel.eventLoop.scheduleTask(in: .seconds(10)) {
            handshake.fail(WardClientError.unexpectedReply("no TLS handshake within 10 seconds"))
        }
        defer { timeout.cancel() }
        return try await handshake.futureResult.get()
    }
}

/// Completes `promise` with the root of the peer's chain once the TLS handshake is done.
private final class PresentedCertificate: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = NIOAny
    // Used on the channel's event loop only (the verification callback runs there too).
    var chain: [NIOSSLCertificate] = []
    private let promise: EventLoopPromise<ServerCertificate>

    init(promise: EventLoopPromise<ServerCertificate>) {
        self.promise = promise
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            if let certificate = chain.last, let der = try? certificate.toDERBytes() {
                promise.succeed(ServerCertificate(der: der))
            } else {
                promise.fail(WardClientError.unexpectedReply("the server presented no certificate"))
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(WardClientError.closed)
        context.fireChannelInactive()
    }
}
