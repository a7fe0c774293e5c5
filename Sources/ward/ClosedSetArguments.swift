public import ArgumentParser
public import WardProtocol

// The protocol's closed sets as command-line values: a wrong one is refused with the list of
// right ones before anything is sent, and `--help` shows them.
extension RecordSection: ExpressibleByArgument {}
extension NotificationKind: ExpressibleByArgument {}
