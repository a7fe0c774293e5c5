public import ArgumentParser
public import WardProtocol
public import WardTerminal

// Closed sets, the protocol's and the client's, as command-line values: a wrong one is refused
// with the list of right ones before anything is sent, and `--help` shows them.
extension RecordSection: ExpressibleByArgument {}
extension NotificationKind: ExpressibleByArgument {}
extension ConsentAction: ExpressibleByArgument {}
