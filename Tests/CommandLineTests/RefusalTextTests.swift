import Testing
import WardClient
import WardProtocol

/// Refusals a person can resolve say how, in words, with the policy id as a detail (issue 20).
@Suite("Refusals in words")
struct RefusalTextTests {
    @Test func aRefusalSaysWhatToDoWhenThePersonCanDoSomething() {
        let consent = Refusal.text(.denied, "refused by policy", policies: ["care-messaging-needs-consent"])
        #expect(consent.hasPrefix("messages in a care room need the patient's consent") && consent.contains("/consent grant messaging"))
        #expect(consent.hasSuffix("(policy care-messaging-needs-consent)"))
        #expect(Refusal.text(.denied, "refused by policy", policies: []) == "refused by the clinic's policy")
        #expect(Refusal.text(.denied, "x", policies: ["some-new-policy"]) == "refused by the clinic's policy (policy some-new-policy)")
        #expect(Refusal.text(.notFound, "no such room", policies: []) == "not_found: no such room")
        #expect(Refusal.text(.denied, "x", policies: ["\u{1B}[2J"]).contains("\u{1B}") == false, "ids are printed as text, never as terminal control")
    }
}
