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

    /// Which integer fields of a request hold times and which hold counts. A test reads every
    /// payload's integer fields (Tests/WardServerTests/HostileInputTests) and sends every request
    /// type with each of these at Int64.min, Int64.max, -1 and 0, so a field added without an
    /// entry fails it.
    public static let timeFields = ["startsAt", "endsAt"]
    public static let countFields = [
        "after", "before", "limit", "seq", "holdID", "weekday", "startMinute", "endMinute", "slotMinutes", "availabilityID",
        "notificationID", "breakGlassID", "size", "from", "approvalID"
    ]

    /// The first of these fields of the request object `decoder` reads that is outside its range,
    /// with the message to answer; nil when all are in range or absent. A field that is not an
    /// integer at all is left to the payload's own decoding, which refuses it. `version` and `id`
    /// are only compared and echoed, never computed with.
    public static func violation(in decoder: any Decoder) -> String? {
        guard let fields = try? decoder.container(keyedBy: FieldName.self) else { return nil }
        for name in timeFields {
            if let value = try? fields.decodeIfPresent(Int64.self, forKey: FieldName(name)), !seconds.contains(value) {
                return "\(name) must be a time in seconds since 1970 between \(seconds.lowerBound) (2000) and \(seconds.upperBound) (2200)"
            }
        }
        for name in countFields {
            if let value = try? fields.decodeIfPresent(Int.self, forKey: FieldName(name)), !counts.contains(value) {
                return "\(name) must be a whole number from 0 to \(counts.upperBound)"
            }
        }
        return nil
    }

    private struct FieldName: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.init(stringValue) }
        init?(intValue: Int) { nil }
    }
}
