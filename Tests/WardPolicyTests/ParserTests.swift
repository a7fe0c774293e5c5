import Testing
import WardPolicy

@Suite("Policy syntax and errors")
struct ParserTests {
    @Test func parsesTheFullScopeGrammar() throws {
        let text = """
            // comment
            @id("p") @audit("critical") @flag
            permit(principal is User in Group::"g", action in [Action::"a", NS::Action::"b"], resource == Doc::"d\\n")
            when { context.n + 1 > 2 && [1, 2].containsAll([1]) }
            unless { resource has "odd key" || principal.name like "a*\\*" };
            forbid(principal == User::"u", action, resource is Doc);
            """
        let policies = try PolicyParser.parse(text, file: "t.cedar")
        #expect(policies.count == 2)
        #expect(policies[0].id == "p")
        #expect(policies[0].annotations == ["id": "p", "audit": "critical", "flag": ""])
        #expect(policies[0].principal == .isIn("User", EntityUID(type: "Group", id: "g")))
        #expect(policies[0].action == .in([EntityUID(type: "Action", id: "a"), EntityUID(type: "NS::Action", id: "b")]))
        #expect(policies[0].resource == .equal(EntityUID(type: "Doc", id: "d\n")))
        #expect(policies[0].conditions.count == 2)
        #expect(policies[1].id == "t.cedar#1")
    }

    @Test(arguments: [
        ("permit(principal, action, resource)", "t.cedar:1:36: expected ';' at the end of the policy, found the end of the file"),
        ("permit(principal, action, resource) when { };", "t.cedar:1:44: a condition must not be empty"),
        ("permit(principal, action == User::\"x\", resource);", "t.cedar:1:29: an action must be an entity of type Action, not User"),
        ("permit(principal, action, resource) when { 1 < 2 < 3 };", "t.cedar:1:50: comparisons do not chain; add parentheses"),
        (
            "permit(principal, action, resource) when { ip(\"1.2.3.4\").isIpv4() };",
            "t.cedar:1:44: extension function ip() is not supported (see policies/README.md)"
        ),
        ("permit(principal, action, resource) when { \"a\\*\" == \"b\" };", "t.cedar:1:44: '\\*' is only allowed in like patterns"),
        (
            "permit(principal, action, resource) when { x == 1 };",
            "t.cedar:1:44: unknown name 'x': expected principal, action, resource, context, a literal or an entity Type::\"id\""
        ),
        ("permit(principal == ?principal, action, resource);", "t.cedar:1:21: expected an entity such as Type::\"id\", found '?'"),
        ("permit(principal, action, resource) when { context.a = 1 };", "t.cedar:1:54: '=' is not an operator; use '==' to compare"),
        ("permit(principal, action, resource) when { 99999999999999999999 };", "t.cedar:1:44: integer literal is out of range for a 64-bit Long"),
        ("permit(principal, action, resource) when { \"open };", "t.cedar:1:44: string is not closed"),
        (
            "permit(principal, action, resource, context);",
            "t.cedar:1:35: Cedar's scope has exactly three parts; put further conditions in 'when { … }'"
        ),
        ("allow(principal, action, resource);", "t.cedar:1:1: expected 'permit' or 'forbid', found 'allow'"),
        ("@id(\"a\") @id(\"b\") permit(principal, action, resource);", "t.cedar:1:11: annotation @id appears twice"),
        ("permit(principal, action, resource) when { {a: 1, a: 2} == {} };", "t.cedar:1:51: record key \"a\" appears twice"),
        (
            "permit(principal, action, resource) when { [1].foo() };",
            "t.cedar:1:48: method foo() is not supported (supported: contains, containsAll, containsAny, isEmpty)"
        )
    ])
    func errorsNameFileLineColumnAndWhatWasExpected(_ text: String, _ message: String) {
        #expect(throws: PolicyParseError.self) { try PolicyParser.parse(text, file: "t.cedar") }
        do {
            _ = try PolicyParser.parse(text, file: "t.cedar")
        } catch {
            #expect("\(error)" == message)
        }
    }

    @Test func smallestLongParses() throws {
        let e = try PolicyParser.parseExpression("-9223372036854775808")
        #expect(e == .literal(.long(Int64.min)))
    }
}
