/// The ranges every integer a request carries must fall in, checked once for every request
/// before any handler does arithmetic with it. JSON numbers reach Swift as 64-bit integers, and
/// Swift traps on overflow: `endsAt - startsAt` with values near Int64.min and Int64.max stopped
/// the whole server (issue 16, item 2). Each handler still checks the narrower range its
/// request needs (a weekday 1-7, a limit 1-200); this check makes every such sum and difference
/// safe first.
public enum WireRanges {
    /// Times in seconds since 1970: 2000-01-01T00:00:00Z to 2200-01-01T00:00:00Z. Wide enough for
    /// any appointment or export cursor; narrow enough that sums of two of them, or of one and a
    /// day count, stay far inside Int64.
    public static let seconds: ClosedRange<Int64> = 946_684_800...7_258_118_400

    /// Counts, sequence numbers, cursors, ids and minutes: 0 to 2⁵³-1, the largest integer a
    /// JavaScript client holds exactly (Number.MAX_SAFE_INTEGER).
    public static let counts: ClosedRange<Int> = 0...9_007_199_254_740_991

    /// Which integer fields of a request hold times and which hold counts. A test builds every
    /// request type with each of these fields at Int64.min, Int64.max, -1 and 0 from this table
    /// (Tests/WardServerTests/HostileInputTests), so a field added without an entry fails it.
    public static let timeFields: [(name: String, value: any WritableKeyPath<ClientRequest, Int64?> & Sendable)] = [
        ("startsAt", \.startsAt), ("endsAt", \.endsAt)
    ]
    public static let countFields: [(name: String, value: any WritableKeyPath<ClientRequest, Int?> & Sendable)] = [
        ("after", \.after), ("before", \.before), ("limit", \.limit), ("seq", \.seq), ("holdID", \.holdID),
        ("weekday", \.weekday), ("startMinute", \.startMinute), ("endMinute", \.endMinute), ("slotMinutes", \.slotMinutes),
        ("availabilityID", \.availabilityID), ("notificationID", \.notificationID), ("breakGlassID", \.breakGlassID),
        ("size", \.size), ("from", \.from), ("approvalID", \.approvalID)
    ]

    /// The first field of `request` outside its range, with the message to answer; nil when all
    /// are in range. `version` and `id` are only compared and echoed, never computed with.
    public static func violation(in request: ClientRequest) -> String? {
        for (name, path) in timeFields {
            if let value = request[keyPath: path], !seconds.contains(value) {
                return "\(name) must be a time in seconds since 1970 between \(seconds.lowerBound) (2000) and \(seconds.upperBound) (2200)"
            }
        }
        for (name, path) in countFields {
            if let value = request[keyPath: path], !counts.contains(value) {
                return "\(name) must be a whole number from 0 to \(counts.upperBound)"
            }
        }
        return nil
    }
}
