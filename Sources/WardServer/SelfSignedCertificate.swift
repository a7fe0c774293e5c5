import Crypto
import Foundation
import SwiftASN1
import X509

/// A new appliance's TLS certificate (ECDSA P-256, valid 2 years): a leaf for the host names and
/// IP addresses it will be reached by, issued by a CA made for it alone, and the pair served as
/// one chain. Clients pin the CA's SHA-256 fingerprint (the last certificate of the chain).
///
/// The served certificate is not a CA (issue 16, item 10): the leaf says `CA:FALSE`, so its key,
/// which the server holds, signs nothing a client would trust. The CA's key signs the leaf and is
/// then thrown away, and the CA may name only the appliance's own host names (RFC 5280
/// §4.2.1.10), so the root a client pins can never vouch for anything else. A new leaf therefore means a new CA
/// and a new fingerprint to confirm, as a new self-signed certificate did.
enum SelfSignedCertificate {
    struct Material {
        /// The leaf, then the CA.
        var certificatePEM: String
        /// The leaf's key.
        var privateKeyPEM: String
        /// The CA's fingerprint: what clients pin.
        var fingerprint: String
    }

    static func make(hostnames: [String]) throws -> Material {
        var dnsNames: [String] = []
        var addresses: [[UInt8]] = []
        for host in hostnames {
            if let ip = IPv4Address(host) { addresses.append(ip.bytes) } else { dnsNames.append(host) }
        }
        let now = Date()
        let (notBefore, notAfter) = (now.addingTimeInterval(-3600), now.addingTimeInterval(2 * 365 * 24 * 3600))

        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName {
            CommonName("Ward appliance CA for \(hostnames.first ?? "localhost")")
            OrganizationName("Ward appliance")
        }
        let caPublicKey = Certificate.PublicKey(caKey.publicKey)
        let ca = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: caPublicKey,
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: caName, subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true))
                SubjectKeyIdentifier(hash: caPublicKey)
                // DNS names only: BoringSSL (swift-nio-ssl's v3_ncons.cc) matches no iPAddress
                // constraint, so one would fail every verification. The addresses are held by
                // the CA key's being gone.
                if !dnsNames.isEmpty { Critical(NameConstraints(permittedDNSDomains: dnsNames)) }
            },
            issuerPrivateKey: .init(caKey)
        )

        let key = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(key.publicKey)
        let leaf = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: caName,
            subject: try DistinguishedName {
                CommonName(hostnames.first ?? "localhost")
                OrganizationName("Ward appliance")
            },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectKeyIdentifier(hash: publicKey)
                AuthorityKeyIdentifier(keyIdentifier: try ca.extensions.subjectKeyIdentifier?.keyIdentifier)
                SubjectAlternativeNames(
                    dnsNames.map { GeneralName.dnsName($0) }
                        + addresses.map { GeneralName.ipAddress(ASN1OctetString(contentBytes: ArraySlice($0))) })
            },
            issuerPrivateKey: .init(caKey)
        )
        return Material(
            certificatePEM: try leaf.serializeAsPEM().pemString + "\n" + ca.serializeAsPEM().pemString + "\n",
            privateKeyPEM: key.pemRepresentation + "\n",
            fingerprint: fingerprint(der: try der(ca))
        )
    }

    private static func der(_ certificate: Certificate) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }

    /// `SHA256:` and the colon-separated hex of the certificate's DER encoding.
    static func fingerprint(der: [UInt8]) -> String {
        "SHA256:" + SHA256.hash(data: der).map { String(format: "%02X", $0) }.joined(separator: ":")
    }

    /// The fingerprint clients pin for a chain file: its last certificate (the appliance's CA,
    /// or the only certificate of a data directory made before the chain).
    static func fingerprint(pem: String) throws -> String {
        let certificates = try PEMDocument.parseMultiple(pemString: pem)
        guard let root = certificates.last else { throw CertificateError.noCertificate }
        return fingerprint(der: try der(Certificate(pemDocument: root)))
    }

    enum CertificateError: Error, CustomStringConvertible {
        case noCertificate
        var description: String { "the certificate file holds no certificate" }
    }
}

/// Dotted-quad IPv4 parsing for certificate names.
struct IPv4Address {
    let bytes: [UInt8]
    init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard let value = UInt8(part) else { return nil }
            out.append(value)
        }
        bytes = out
    }
}
