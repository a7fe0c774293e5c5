public import Foundation
public import WardProtocol

/// Record entries as people type and read them: a line of text becomes the FHIR R4 resource of
/// its section (docs/RECORDS.md gives the mapping), and a resource reads back as one line.
/// `ward record` and the screen's /record and /note use both.
public enum RecordText {
    public static let sections = ["demographics", "allergies", "medications", "problems", "notes"]

    /// The FHIR resource (JSON text) for `text` in `section`; nil for an unknown section.
    public static func resource(section: String, text: String) -> String? {
        let resource: [String: Any]
        switch section {
        case "demographics": resource = ["resourceType": "Patient", "name": [["text": text]]]
        case "allergies": resource = ["resourceType": "AllergyIntolerance", "code": ["text": text]]
        case "medications": resource = ["resourceType": "MedicationStatement", "status": "active", "medicationCodeableConcept": ["text": text]]
        case "problems": resource = ["resourceType": "Condition", "code": ["text": text]]
        case "notes": resource = ["resourceType": "DocumentReference", "status": "current", "description": text]
        default: return nil
        }
        guard let data = try? JSONSerialization.data(withJSONObject: resource, options: [.sortedKeys, .withoutEscapingSlashes]) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// What a resource says, in one line: its name, code, medication or description.
    public static func summary(_ resourceJSON: String) -> String {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(resourceJSON.utf8))) as? [String: Any] else { return "(unreadable)" }
        func text(_ key: String) -> String? { (object[key] as? [String: Any])?["text"] as? String }
        let said = text("code") ?? text("medicationCodeableConcept") ?? (object["description"] as? String)
            ?? ((object["name"] as? [[String: Any]])?.first?["text"] as? String)
            ?? ((object["note"] as? [[String: Any]])?.first?["text"] as? String)
        return MessageFormat.safe(said ?? "(\(object["resourceType"] as? String ?? "resource"))")
    }

    /// One line per entry: section, version, when, who, what.
    public static func line(_ entry: RecordEntryInfo, timeZone: TimeZone = .current) -> String {
        "\(entry.section)  v\(entry.version)  \(ScheduleText.moment(entry.createdAt, timeZone))  by \(entry.authorID) (\(entry.authorRole))  "
            + summary(entry.resource) + "  [\(entry.entryID)]"
    }
}
