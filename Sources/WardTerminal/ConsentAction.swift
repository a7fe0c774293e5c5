/// What a person does with their consents (`ward consent`, the screen's /consent): list them,
/// read a purpose's text, give or withdraw one (GDPR Art. 7).
public enum ConsentAction: String, CaseIterable, Sendable {
    case list, show, grant, withdraw

    /// Whether it names a purpose.
    public var needsPurpose: Bool { self != .list }
}
