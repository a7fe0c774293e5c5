public import Foundation
public import WardStore
import WardProtocol

/// The bookable slots a clinician's availability gives, in the clinic's time zone. Weekly hours
/// are wall-clock times: a clinic open 09:00-12:00 opens at 09:00 local time on both sides of a
/// daylight-saving change, so its slots move in UTC with the change. A slot that would start in
/// the hour skipped when clocks go forward does not exist; in the hour repeated when they go
/// back, the first of the two is used.
public struct SlotCalendar: Sendable {
    public struct Slot: Hashable, Sendable, Comparable {
        public var startsAt: Int64
        public var endsAt: Int64
        public var location: String

        public static func < (a: Slot, b: Slot) -> Bool { (a.startsAt, a.endsAt) < (b.startsAt, b.endsAt) }
    }

    public let timeZone: TimeZone
    private let calendar: Calendar

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// Whether a stored entry keeps the rules `availability.add` enforces: slots of 5-480
    /// minutes, weekly hours within a day, blocks within the wire's time window and at most 31
    /// days long. Entries stored before those rules (one held Int64.max and stopped the server
    /// at every slot computation for its clinician) are ignored, and logged at start-up.
    public static func isUsable(_ entry: AvailabilityRecord) -> Bool {
        guard (5...480).contains(entry.slotMinutes) else { return false }
        switch entry.kind {
        case .weekly:
            guard let weekday = entry.weekday, let start = entry.startMinute, let end = entry.endMinute else { return false }
            return (1...7).contains(weekday) && (0..<1440).contains(start) && (start + entry.slotMinutes...1440).contains(end)
        case .open, .closed:
            guard let start = entry.startsAt, let end = entry.endsAt else { return false }
            return WireRanges.seconds.contains(start) && WireRanges.seconds.contains(end) && end > start && end - start <= maxBlockSeconds
        }
    }

    /// The longest `open` or `closed` block.
    public static let maxBlockSeconds: Int64 = 31 * 86_400

    /// Every slot starting in [from, to): weekly hours and `open` blocks, minus `closed` blocks.
    /// Entries that break the rules (`isUsable`) give no slot and close nothing.
    public func slots(_ stored: [AvailabilityRecord], from: Int64, to: Int64) -> [Slot] {
        var slots = Set<Slot>()
        let availability = stored.filter(Self.isUsable)
        let weekly = availability.filter { $0.kind == .weekly }
        // Local days overlapping the range (one before, for ranges starting just after midnight UTC).
        var day = calendar.startOfDay(for: Date(timeIntervalSince1970: TimeInterval(from)))
        day = calendar.date(byAdding: .day, value: -1, to: day) ?? day
        let end = Date(timeIntervalSince1970: TimeInterval(to))
        while day < end {
            let components = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            let isoWeekday = ((components.weekday ?? 1) + 5) % 7 + 1
            for entry in weekly where entry.weekday == isoWeekday {
                guard let first = entry.startMinute, let last = entry.endMinute, entry.slotMinutes > 0 else { continue }
                var minute = first
                while minute + entry.slotMinutes <= last {
                    if let start = localInstant(components, minute: minute) {
                        slots.insert(Slot(startsAt: start, endsAt: start + Int64(entry.slotMinutes) * 60, location: entry.location))
                    }
                    minute += entry.slotMinutes
                }
            }
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
        }
        for entry in availability where entry.kind == .open {
            guard var start = entry.startsAt, let stop = entry.endsAt, entry.slotMinutes > 0 else { continue }
            let length = Int64(entry.slotMinutes) * 60
            while start + length <= stop {
                slots.insert(Slot(startsAt: start, endsAt: start + length, location: entry.location))
                start += length
            }
        }
        let closed = availability.filter { $0.kind == .closed }.compactMap { entry -> ClosedRange<Int64>? in
            guard let start = entry.startsAt, let stop = entry.endsAt, stop > start else { return nil }
            return start...(stop - 1)
        }
        return slots.filter { slot in
            slot.startsAt >= from && slot.startsAt < to && !closed.contains { $0.overlaps(slot.startsAt...(slot.endsAt - 1)) }
        }.sorted()
    }

    /// The instant of `minute` after midnight on the local day `day`; nil when that wall-clock
    /// time does not exist (skipped by a daylight-saving change).
    func localInstant(_ day: DateComponents, minute: Int) -> Int64? {
        var wanted = DateComponents()
        wanted.year = day.year
        wanted.month = day.month
        wanted.day = day.day
        wanted.hour = minute / 60
        wanted.minute = minute % 60
        guard let date = calendar.date(from: wanted) else { return nil }
        // Foundation moves a skipped time forward; such a slot does not exist.
        let back = calendar.dateComponents([.hour, .minute], from: date)
        guard back.hour == wanted.hour, back.minute == wanted.minute else { return nil }
        return Int64(date.timeIntervalSince1970)
    }
}
