import Foundation
import Testing
import WardServer
import WardStore

/// Weekly hours are wall-clock hours in the clinic's time zone, on both sides of daylight saving.
@Suite("Slot calendar")
struct SlotCalendarTests {
    static let newYork = SlotCalendar(timeZone: TimeZone(identifier: "America/New_York")!)

    static func at(_ iso: String) -> Int64 { Int64(ISO8601DateFormatter().date(from: iso)!.timeIntervalSince1970) }

    static func weekly(_ weekday: Int, _ start: Int, _ end: Int, slot: Int = 30) -> AvailabilityRecord {
        AvailabilityRecord(
            clinicianID: "user:dr", kind: .weekly, weekday: weekday, startMinute: start, endMinute: end, slotMinutes: slot,
            location: "Room 2", createdAt: 0)
    }

    @Test func weeklyHoursFollowTheWallClockAcrossTheSpringChange() {
        // Mondays 09:00-10:00: 14:00Z in winter (EST), 13:00Z after clocks go forward on 8 March 2026 (EDT).
        let slots = Self.newYork.slots([Self.weekly(1, 540, 600)], from: Self.at("2026-03-01T00:00:00Z"), to: Self.at("2026-03-10T00:00:00Z"))
        #expect(
            slots.map(\.startsAt) == ["2026-03-02T14:00:00Z", "2026-03-02T14:30:00Z", "2026-03-09T13:00:00Z", "2026-03-09T13:30:00Z"].map(Self.at))
        #expect(slots.allSatisfy { $0.endsAt - $0.startsAt == 1800 && $0.location == "Room 2" })
    }

    @Test func aSlotInTheSkippedHourDoesNotExistAndTheRepeatedHourIsUsedOnce() {
        // Sunday 8 March 2026: 02:00-03:00 does not exist; 02:00-04:00 in hour slots leaves 03:00 EDT.
        let spring = Self.newYork.slots(
            [Self.weekly(7, 120, 240, slot: 60)], from: Self.at("2026-03-08T00:00:00Z"), to: Self.at("2026-03-09T00:00:00Z"))
        #expect(spring.map(\.startsAt) == [Self.at("2026-03-08T07:00:00Z")])
        // Sunday 1 November 2026: 01:00-02:00 happens twice; its slots are the first pass (EDT), once each.
        let autumn = Self.newYork.slots([Self.weekly(7, 60, 120)], from: Self.at("2026-11-01T00:00:00Z"), to: Self.at("2026-11-02T00:00:00Z"))
        #expect(autumn.map(\.startsAt) == [Self.at("2026-11-01T05:00:00Z"), Self.at("2026-11-01T05:30:00Z")])
    }

    @Test func oneOffBlocksOpenAndCloseHours() {
        var open = AvailabilityRecord(clinicianID: "user:dr", kind: .open, slotMinutes: 20, location: "Ward 3", createdAt: 0)
        (open.startsAt, open.endsAt) = (Self.at("2026-06-06T10:00:00Z"), Self.at("2026-06-06T11:00:00Z"))
        var closed = AvailabilityRecord(clinicianID: "user:dr", kind: .closed, slotMinutes: 30, location: "", createdAt: 0)
        (closed.startsAt, closed.endsAt) = (Self.at("2026-06-01T13:30:00Z"), Self.at("2026-06-01T14:00:00Z"))
        // Monday 1 June 2026 09:00-10:00 EDT is 13:00-14:00Z; the closed block takes the second half.
        let slots = Self.newYork.slots(
            [Self.weekly(1, 540, 600), open, closed], from: Self.at("2026-06-01T00:00:00Z"), to: Self.at("2026-06-07T00:00:00Z"))
        #expect(
            slots.map(\.startsAt) == ["2026-06-01T13:00:00Z", "2026-06-06T10:00:00Z", "2026-06-06T10:20:00Z", "2026-06-06T10:40:00Z"].map(Self.at))
        #expect(slots.last?.location == "Ward 3")
    }
}
