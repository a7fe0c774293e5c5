import Testing
import WardProtocol
@testable import WardServer

/// The request table (issue 20): every request of the protocol has a route, and what each needs
/// of the session is pinned here, so that loosening it is a visible change.
@Suite("Request routes")
struct RequestRouteTests {
    enum Access: Equatable { case open, session, ownPassword }

    static func access(_ type: RequestType) -> Access? {
        switch RequestRoute.table[type]?.access {
        case .open: return .open
        case .session: return .session
        case .ownPassword: return .ownPassword
        case nil: return nil
        }
    }

    @Test func everyRequestTypeHasARoute() {
        let missing = RequestType.allCases.filter { RequestRoute.table[$0] == nil }
        #expect(missing.isEmpty, "no route for \(missing.map(\.rawValue))")
    }

    /// A route decodes the payload of its own request, so its handler answers with the reply that
    /// request names: a route filed under another type's key would answer with another's.
    @Test func everyRouteTakesItsOwnRequestsPayload() {
        for (type, route) in RequestRoute.table {
            #expect(route.payloadType.type == type, "\(type.rawValue) decodes \(route.payloadType)")
        }
    }

    @Test func onlyTheGreetingAndSigningInAreAnsweredWithoutASession() {
        let open = RequestType.allCases.filter { Self.access($0) == .open }
        #expect(Set(open) == [.hello, .ping, .login, .resume])
    }

    /// A session still on a one-time password may replace it, set up its second factor, ask who
    /// it is and sign out: nothing that reads or writes anyone's data.
    @Test func aOneTimePasswordSessionReachesOnlyWhatReplacesIt() {
        let session = RequestType.allCases.filter { Self.access($0) == .session }
        #expect(Set(session) == [.logout, .whoami, .passwordChange, .totpEnroll, .totpConfirm])
    }

    /// What touches data is decided by a policy: every route that needs a session names its action.
    @Test func everySignedInRequestHasAPolicyActionAndAnAuditEvent() {
        for type in RequestType.allCases where Self.access(type) != .open || type == .login || type == .resume {
            #expect(type.action != nil, "\(type.rawValue) has no policy action")
            #expect(type.auditEvent != nil, "\(type.rawValue) has no audit event")
        }
    }
}
