public import Foundation
public import WardProtocol

/// Record entries as people type and read them: a line of text becomes the FHIR R4 resource of
/// its section (docs/RECORDS.md gives the mapping), and a resource reads back as one line.
/// `ward record` and the screen's /record and /note use both.
public enum RecordText {
    public static let sections = RecordSection.allCases.map(\.rawValue)

    /// The FHIR resource (JSON text) for `text` in `section`; nil for an unknown section.
    public static func resource(section name: String, text: String) -> String? {
        guard let section = RecordSection(rawValue: name) else { return nil }
        var resource: [String: Any] = ["resourceType": section.resourceType]
        switch section {
        case .demographics: resource["name"] = [["text": text]]
        case .allergies, .problems: resource["code"] = ["text": text]
        case .medications: (resource["status"], resource["medicationCodeableConcept"]) = ("active", ["text": text])
        case .notes: (resource["status"], resource["description"]) = ("current", text)
        }
        guard let data = try? JSONSerialization.data(withJSONObject: resource, options: [.sortedKeys, .withoutEscapingSlashes]) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The entries as one FHIR R4 Bundle of type `collection` (JSON text), for other health
    /// software to read: each resource as stored, with `meta.versionId` set to its version (a
    /// history holds several versions of one resource, so no `fullUrl` is given: FHIR's bdl-7).
    /// Nil when a stored resource does not parse.
    public static func bundle(_ entries: [RecordEntryInfo], at time: Date = Date()) -> String? {
        var resources: [[String: Any]] = []
        for entry in entries {
            guard var resource = (try? JSONSerialization.jsonObject(with: Data(entry.resource.utf8))) as? [String: Any] else { return nil }
            var meta = resource["meta"] as? [String: Any] ?? [:]
            meta["versionId"] = String(entry.version)
            resource["meta"] = meta
            resources.append(["resource": resource])
        }
        let formatter = ISO8601DateFormatter()
        let bundle: [String: Any] = ["resourceType": "Bundle", "type": "collection", "timestamp": formatter.string(from: time), "entry": resources]
        guard let data = try? JSONSerialization.data(withJSONObject: bundle, options: [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]) else {
            return nil
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// What a resource says, in one line: its name, code, medication or description.
    public static func summary(_ resourceJSON: String) -> String {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(resourceJSON.utf8))) as? [String: Any] else { return "(unreadable)" }
        func text(_ key: String) -> String? { (object[key] as? [String: Any])?["text"] as? String }
        let said =
            text("code") ?? text("medicationCodeableConcept") ?? (object["description"] as? String)
            ?? ((object["name"] as? [[String: Any]])?.first?["text"] as? String)
            ?? ((object["note"] as? [[String: Any]])?.first?["text"] as? String)
        return MessageFormat.safe(said ?? "(\(object["resourceType"] as? String ?? "resource"))")
    }

    /// One line per entry: section, version, when, who, what.
    public static func line(_ entry: RecordEntryInfo, timeZone: TimeZone = .current) -> String {
        "\(entry.section)  v\(entry.version)  \(ScheduleText.moment(entry.createdAt, timeZone))  by \(entry.authorID) (\(entry.authorRole))  "
            + summary(entry.resource) + "  [\(entry.entryID)]"
    }

    /// What the reader's view leaves out, and why (HIPAA 164.524(a)).
    public static func withheldLine(_ withheld: [String: Int]) -> String {
        let total = withheld.values.reduce(0, +)
        let bases = withheld.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        return "\(total) \(total == 1 ? "entry is" : "entries are") withheld from this view (\(bases)); "
            + "a decision on grounds of endangerment can be reviewed: ask the clinic"
    }

    /// The requests a reader of the record must see with it (HIPAA 164.526(d)(4)): those still
    /// open and those the patient disputes.
    public static func openOrDisputed(_ amendments: [AmendmentInfo]) -> [AmendmentInfo] {
        amendments.filter { $0.status == "requested" || $0.disagreement != nil }
    }

    /// One line per amendment request: its state, the entry, what was asked, the answer.
    public static func amendmentLine(_ amendment: AmendmentInfo, timeZone: TimeZone = .current) -> String {
        var line =
            "\(amendment.status)\(amendment.overdue ? " (overdue)" : "")  \(amendment.section) [\(amendment.entryID)]  asked "
            + "\(ScheduleText.moment(amendment.requestedAt, timeZone)): \(MessageFormat.safe(amendment.request))"
        if let response = amendment.response { line += "  — denied: \(MessageFormat.safe(response))" }
        if let disagreement = amendment.disagreement { line += "  — the patient disagrees: \(MessageFormat.safe(disagreement))" }
        if let version = amendment.versionID { line += "  — amended by \(version)" }
        if amendment.status == "requested" { line += "  — answer due \(ScheduleText.moment(amendment.dueAt, timeZone))" }
        return line + "  [\(amendment.amendmentID)]"
    }
}
