import Foundation
import SwiftASN1
import X509

/// The name a client sends in TLS (server name indication) and checks the certificate against.
/// SNI cannot carry an IP address (RFC 6066 §3), so for a server reached by address the name is
/// one the trusted certificate vouches for: a DNS name it lists, or, for the appliance's own CA,
/// one its name constraints permit. `ward` and `wardctl` both connect this way.
public enum TLSServerName {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Whether `host` is an IP address (v4 dotted, or v6 with colons) rather than a name.
    public static func isAddress(_ host: String) -> Bool {
        host.contains(":") || (!host.isEmpty && host.allSatisfy { $0.isNumber || $0 == "." })
    }

    /// The name for `host` under the trusted certificate `pem` (a chain's root is taken).
    public static func resolve(host: String, certificatePEM pem: String) throws -> String {
        guard isAddress(host) else { return host }
        let certificate: Certificate
        do { certificate = try Certificate(pemEncoded: ServerCertificate(rootOf: pem).pem) } catch {
            throw Failure(description: "the trusted certificate cannot be read: \(error)")
        }
        let names: SubjectAlternativeNames? = try? certificate.extensions.subjectAlternativeNames
        for name in names ?? SubjectAlternativeNames() {
            if case let .dnsName(dns) = name { return dns }
        }
        if let permitted = (try? certificate.extensions.nameConstraints)?.permittedDNSDomains.first { return permitted }
        throw Failure(description: "the server's certificate names no host; connect with a name it lists")
    }
}
