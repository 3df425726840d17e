/// One thing a rule recommends doing about a job, with the caveat the admin must accept.
/// Which optional fields are set depends on `kind`; `RuleBook` refuses a file where a required one is missing.
public struct RuleAction: Sendable, Equatable {
    /// The kinds a rules file may use. Raw values are the JSON `kind` strings and, for the kinds the
    /// `recommend` JSON contract names, its `action` strings.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// Switch the schedule off in Redis (see `ScheduleSwitch`); needs the rule's schedule name.
        case disableSchedule = "disable_schedule"
        /// An admin setting: `setting`, `menuPath`, optional `value`.
        case adminSetting = "admin_setting"
        /// A per-user preference, no admin switch: `setting`, `menuPath`.
        case userSetting = "user_setting"
        /// An environment variable: `variable`, `value` (may be empty), `file`, optional `restart`.
        case env
        /// A one-off command: `command`.
        case tootctl
        /// Upgrade the app: `minVersion`, `reason`; applies when the version is below `below` (default `minVersion`).
        case upgrade
        /// Cut the incoming work (relays, follows, domain blocks): `menuPath`.
        case reduceIngest = "reduce_ingest"
        /// A setting not to touch: `setting`, `reason`.
        case avoid
        /// Leave the job alone: `reason`; the caveat says what breaks if it is switched off anyway.
        case keep
        /// Fewer Sidekiq threads: `variable`, `value`, optional `file`, `systemd`.
        case lowerConcurrency = "lower_concurrency"
        /// Give a queue its own process: `queue`.
        case isolateQueue = "isolate_queue"
        /// Restart Sidekiq on a timer: `setting` (the directive), `file` (the unit).
        case periodicRestart = "periodic_restart"

        /// Fields this kind needs besides `kind` and `caveat`, by their JSON names (rules/generate.py has the same table).
        public var requiredFields: [String] {
            switch self {
            case .disableSchedule: return []
            case .adminSetting, .userSetting: return ["setting", "menu_path"]
            case .env: return ["variable", "value", "file"]
            case .tootctl: return ["command"]
            case .upgrade: return ["min_version", "reason"]
            case .reduceIngest: return ["menu_path"]
            case .avoid: return ["setting", "reason"]
            case .keep: return ["reason"]
            case .lowerConcurrency: return ["variable", "value"]
            case .isolateQueue: return ["queue"]
            case .periodicRestart: return ["setting", "file"]
            }
        }
    }

    /// Whether an action applies to the running app version.
    public enum Applicability: Sendable, Equatable {
        case applies
        /// An upgrade whose condition does not hold: the app is already at or above the version.
        case notNeeded
        /// An upgrade that may apply, but the app version is unknown; the step should say so.
        case versionUnknown
    }

    public var kind: Kind
    /// What the admin gives up or risks by taking this action.
    public var caveat: String
    /// A condition in words (`"first purge / disk pressure, run off-peak"`).
    public var when: String?
    public var note: String?
    public var setting: String?
    /// The value to set, rendered as text whatever its JSON type (`false`, `14`, `""`).
    public var value: String?
    /// Where the setting lives in the app's UI, e.g. `Administration > Server settings > Discovery > …`.
    public var menuPath: String?
    public var variable: String?
    public var file: String?
    /// The services to restart after the change.
    public var restart: String?
    public var command: String?
    public var minVersion: AppVersion?
    /// An upgrade applies while the version is below this; nil means `minVersion`.
    public var below: AppVersion?
    public var reason: String?
    public var queue: String?
    public var systemd: String?

    public init(
        kind: Kind, caveat: String, when: String? = nil, note: String? = nil, setting: String? = nil, value: String? = nil,
        menuPath: String? = nil, variable: String? = nil, file: String? = nil, restart: String? = nil, command: String? = nil,
        minVersion: AppVersion? = nil, below: AppVersion? = nil, reason: String? = nil, queue: String? = nil, systemd: String? = nil
    ) {
        self.kind = kind
        self.caveat = caveat
        self.when = when
        self.note = note
        self.setting = setting
        self.value = value
        self.menuPath = menuPath
        self.variable = variable
        self.file = file
        self.restart = restart
        self.command = command
        self.minVersion = minVersion
        self.below = below
        self.reason = reason
        self.queue = queue
        self.systemd = systemd
    }

    /// For an upgrade, whether `appVersion < below ?? minVersion`; every other kind always applies.
    public func applicability(appVersion: AppVersion?) -> Applicability {
        guard kind == .upgrade, let threshold = below ?? minVersion else { return .applies }
        guard let appVersion else { return .versionUnknown }
        return appVersion < threshold ? .applies : .notNeeded
    }
}

extension RuleAction: Decodable {
    enum CodingKeys: String, CodingKey {
        case kind, caveat, when, note, setting, value, variable, file, restart, command, below, reason, queue, systemd
        case menuPath = "menu_path"
        case minVersion = "min_version"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kindText = try container.decode(String.self, forKey: .kind)
        guard let kind = Kind(rawValue: kindText) else {
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: container,
                debugDescription: "unknown action kind '\(kindText)'; expected one of "
                    + Kind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        for field in kind.requiredFields + ["caveat"] {
            let key = CodingKeys(stringValue: field)!
            if try !container.contains(key) || container.decodeNil(forKey: key) {
                throw DecodingError.keyNotFound(key, DecodingError.Context(
                    codingPath: container.codingPath, debugDescription: "\(kind.rawValue) needs '\(field)'"))
            }
        }
        func version(_ key: CodingKeys) throws -> AppVersion? {
            guard let text = try container.decodeIfPresent(String.self, forKey: key) else { return nil }
            guard let version = AppVersion(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: container, debugDescription: "'\(text)' is not a version like 4.2.1")
            }
            return version
        }
        self.init(
            kind: kind,
            caveat: try container.decode(String.self, forKey: .caveat),
            when: try container.decodeIfPresent(String.self, forKey: .when),
            note: try container.decodeIfPresent(String.self, forKey: .note),
            setting: try container.decodeIfPresent(String.self, forKey: .setting),
            value: try Self.scalarText(container, .value),
            menuPath: try container.decodeIfPresent(String.self, forKey: .menuPath),
            variable: try container.decodeIfPresent(String.self, forKey: .variable),
            file: try container.decodeIfPresent(String.self, forKey: .file),
            restart: try container.decodeIfPresent(String.self, forKey: .restart),
            command: try container.decodeIfPresent(String.self, forKey: .command),
            minVersion: try version(.minVersion),
            below: try version(.below),
            reason: try container.decodeIfPresent(String.self, forKey: .reason),
            queue: try container.decodeIfPresent(String.self, forKey: .queue),
            systemd: try container.decodeIfPresent(String.self, forKey: .systemd))
    }

    /// Settings take booleans, numbers or strings in the file; the steps only ever print them.
    private static func scalarText(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> String? {
        guard container.contains(key), !(try container.decodeNil(forKey: key)) else { return nil }
        if let flag = try? container.decode(Bool.self, forKey: key) { return flag ? "true" : "false" }
        if let number = try? container.decode(Int.self, forKey: key) { return String(number) }
        if let number = try? container.decode(Double.self, forKey: key) { return String(number) }
        do {
            return try container.decode(String.self, forKey: key)
        } catch {
            throw DecodingError.typeMismatch(String.self, DecodingError.Context(
                codingPath: container.codingPath + [key], debugDescription: "expected a string, number or boolean"))
        }
    }
}
