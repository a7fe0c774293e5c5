public import WardPolicy
public import WardStore
public import WardProtocol

/// How Ward's data appears to the policies (policies/README.md, "Entities the server supplies"):
/// the role and action hierarchies, and a user as a principal with its role and care teams.
public enum ClinicModel {
    /// Role::"X" → its parent roles.
    public static let roleParents: [String: [String]] = [
        "Staff": [], "Patient": [], "Clinician": ["Staff"], "Doctor": ["Clinician"], "Nurse": ["Clinician"],
        "Other": ["Staff"], "Admin": ["Staff"], "PrivacyOfficer": ["Staff"],
        // Not staff: an auditor checks the audit log and takes no part in care or messaging.
        "Auditor": []
    ]

    public static let service = EntityUID(type: "Service", id: "ward")

    public static func action(_ action: PolicyAction) -> EntityUID { EntityUID(type: "Action", id: action.rawValue) }

    public static func user(_ id: String) -> EntityUID { EntityUID(type: "User", id: id) }

    /// Roles, actions and the service: the entities every request carries.
    public static let staticEntities: [Entity] = {
        var entities: [Entity] = []
        for (role, parents) in roleParents {
            entities.append(Entity(uid: EntityUID(type: "Role", id: role), parents: parents.map { EntityUID(type: "Role", id: $0) }))
        }
        // Action::"x" with its group as parent.
        for action in PolicyAction.allCases {
            entities.append(Entity(uid: Self.action(action), parents: action.group.map { [Self.action($0)] } ?? []))
        }
        entities.append(Entity(uid: service))
        return entities
    }()

    /// The account as a principal: `active`, its role, and the care teams it is on; a patient
    /// also names their own care team (`careTeam`).
    public static func principal(_ user: UserRecord, careTeamsOf patients: [String]) -> Entity {
        var attributes: [String: Value] = ["active": .bool(user.active)]
        if user.role == .patient { attributes["careTeam"] = .entity(EntityUID(type: "CareTeam", id: user.id)) }
        return Entity(
            uid: Self.user(user.id),
            attributes: attributes,
            parents: [EntityUID(type: "Role", id: user.role.rawValue)] + patients.map { EntityUID(type: "CareTeam", id: $0) }
        )
    }

    /// A patient's record as a resource: whose it is and their care team.
    public static func record(patientID: String) -> Entity {
        Entity(
            uid: EntityUID(type: "Record", id: patientID),
            attributes: [
                "subject": .entity(user(patientID)), "careTeam": .entity(EntityUID(type: "CareTeam", id: patientID))
            ])
    }

    /// An appointment as a resource: its patient, clinician and the patient's care team.
    public static func appointment(_ appointment: AppointmentRecord) -> Entity {
        Entity(
            uid: EntityUID(type: "Appointment", id: appointment.id),
            attributes: [
                "patient": .entity(user(appointment.patientID)), "clinician": .entity(user(appointment.clinicianID)),
                "careTeam": .entity(EntityUID(type: "CareTeam", id: appointment.patientID))
            ])
    }

    /// A room as a resource: its kind and, for a care room, its patient and care team.
    public static func room(_ room: RoomRecord) -> Entity {
        var attributes: [String: Value] = ["kind": .string(room.kind.rawValue)]
        if let patient = room.patientID {
            attributes["patient"] = .entity(user(patient))
            attributes["careTeam"] = .entity(EntityUID(type: "CareTeam", id: patient))
        }
        return Entity(uid: EntityUID(type: "Room", id: room.id), attributes: attributes)
    }
}
