extension Reply {
    /// `availability.add`, `availability.remove`, `availability.list`: a clinician's availability.
    public struct Availability: ReplyPayload {
        public var availability: [AvailabilityInfo]

        public init(availability: [AvailabilityInfo]) { self.availability = availability }
    }

    /// `appointment.slots`: free slots.
    public struct Slots: ReplyPayload {
        public var slots: [SlotInfo]

        public init(slots: [SlotInfo]) { self.slots = slots }
    }

    /// `appointment.list`: appointments, soonest first.
    public struct Appointments: ReplyPayload {
        public var appointments: [AppointmentInfo]

        public init(appointments: [AppointmentInfo]) { self.appointments = appointments }
    }

    /// `appointment.book`, `.reschedule`, `.cancel`, `.update`, `.show`.
    public struct Appointment: ReplyPayload {
        public var appointment: AppointmentInfo

        public init(appointment: AppointmentInfo) { self.appointment = appointment }
    }

    /// `notification.list`, `notification.read`, `notification.settings`: the notifications,
    /// newest first, how many are unread, and the kinds turned off.
    public struct Notifications: ReplyPayload {
        public var notifications: [NotificationInfo]
        public var unreadNotifications: Int
        public var mutedKinds: [String]

        public init(notifications: [NotificationInfo], unreadNotifications: Int, mutedKinds: [String]) {
            (self.notifications, self.unreadNotifications, self.mutedKinds) = (notifications, unreadNotifications, mutedKinds)
        }
    }

    /// `notification.announce`: how many notifications were made (`unreadNotifications`).
    public struct Announced: ReplyPayload {
        public var unreadNotifications: Int

        public init(unreadNotifications: Int) { self.unreadNotifications = unreadNotifications }
    }

    /// The `notification` event.
    public struct Notification: ReplyPayload {
        public var notification: NotificationInfo

        public init(notification: NotificationInfo) { self.notification = notification }
    }
}
