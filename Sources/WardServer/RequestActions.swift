import WardProtocol

extension RequestType {
    /// The policy action deciding a request that touches data (the request table,
    /// `RequestType.action`). `hello` and `ping` have none; a handler asking for theirs is a
    /// server fault, refused rather than decided under another action.
    var decidingAction: PolicyAction {
        get throws {
            guard let action else {
                throw ReplyError(code: .badRequest, message: "\(rawValue) is not decided by a policy")
            }
            return action
        }
    }
}
