internal import Crypto
internal import Foundation
internal import SwiftASN1
internal import X509

/// A self-signed TLS certificate for a new appliance (ECDSA P-256, valid 2 years), for the host
/// names and IP addresses it will be reached by. Clients pin its SHA-256 fingerprint.
enum SelfSignedCertificate {
    struct Material {
        var certificatePEM: String
        var privateKeyPEM: String
        var fingerprint: String
    }

    static func make(hostnames: [String]) throws -> Material {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            CommonName(hostnames.first ?? "localhost")
            OrganizationName("Ward appliance")
        }
        var alternativeNames: [GeneralName] = []
        for host in hostnames {
            if let ip = IPv4Address(host) {
                alternativeNames.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(ip.bytes))))
            } else {
                alternativeNames.append(.dnsName(host))
            }
        }
        let now = Date()
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(2 * 365 * 24 * 3600),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(alternativeNames)
            },
            issuerPrivateKey: .init(key)
        )
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        let der = serializer.serializedBytes
        return Material(
            certificatePEM: try certificate.serializeAsPEM().pemString + "\n",
            privateKeyPEM: key.pemRepresentation + "\n",
            fingerprint: fingerprint(der: der)
        )
    }

    /// `SHA256:` and the colon-separated hex of the certificate's DER encoding.
    static func fingerprint(der: [UInt8]) -> String {
        "SHA256:" + SHA256.hash(data: der).map { String(format: "%02X", $0) }.joined(separator: ":")
    }

    /// The fingerprint of the first certificate in a PEM file.
    static func fingerprint(pem: String) throws -> String {
        let certificate = try Certificate(pemEncoded: pem)
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return fingerprint(der: serializer.serializedBytes)
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
