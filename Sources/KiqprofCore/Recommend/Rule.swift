/// What is known about one job (by schedule name and/or worker class) or about the Sidekiq process as a
/// whole, and the actions that tame it, in the order they should be offered.
public struct Rule: Sendable, Equatable {
    public enum Scope: String, Sendable, Equatable {
        /// A rule about one job, matched by schedule name or class.
        case job
        /// A rule about the whole Sidekiq process (memory, threads); it matches no class.
        case process
    }

    /// The schedule name in sidekiq-scheduler or sidekiq-cron, nil for a job that is not scheduled.
    public var schedule: String?
    /// The worker class, e.g. `Scheduler::Trends::RefreshScheduler`.
    public var jobClass: String?
    public var scope: Scope
    public var queue: String?
    public var category: String?
    /// How heavy the job is on a small server, in words.
    public var heaviness: String?
    public var interval: String?
    /// The app versions the job exists in, in words (`4.6.1 - 4.7.x`).
    public var versions: String?
    /// One plain sentence on what the job does and what it costs, for evidence text.
    public var context: String?
    public var actions: [RuleAction]
    /// What stops working if the job is switched off.
    public var sideEffect: String?
    public var sources: [String]

    public init(
        schedule: String?, jobClass: String?, scope: Scope = .job, queue: String? = nil, category: String? = nil,
        heaviness: String? = nil, interval: String? = nil, versions: String? = nil, context: String? = nil,
        actions: [RuleAction], sideEffect: String? = nil, sources: [String] = []
    ) {
        self.schedule = schedule
        self.jobClass = jobClass
        self.scope = scope
        self.queue = queue
        self.category = category
        self.heaviness = heaviness
        self.interval = interval
        self.versions = versions
        self.context = context
        self.actions = actions
        self.sideEffect = sideEffect
        self.sources = sources
    }

    /// The identity a user rules file overrides: `schedule:NAME`, else `class:NAME`, else `scope:process`.
    public var key: String {
        if let schedule { return "schedule:" + schedule }
        if let jobClass { return "class:" + jobClass }
        return "scope:" + scope.rawValue
    }

    /// The actions for this app version: upgrades already satisfied are dropped, and upgrades whose
    /// condition cannot be checked are kept (their `applicability` says the version is unknown).
    public func actions(appVersion: AppVersion?) -> [RuleAction] {
        actions.filter { $0.applicability(appVersion: appVersion) != .notNeeded }
    }
}

extension Rule: Decodable {
    enum CodingKeys: String, CodingKey {
        case schedule, scope, queue, category, heaviness, interval, versions, context, actions, sources
        case jobClass = "class"
        case sideEffect = "side_effect"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let scopeText = try container.decodeIfPresent(String.self, forKey: .scope) ?? Scope.job.rawValue
        guard let scope = Scope(rawValue: scopeText) else {
            throw DecodingError.dataCorruptedError(
                forKey: .scope, in: container, debugDescription: "unknown scope '\(scopeText)'; expected job or process")
        }
        let schedule = try container.decodeIfPresent(String.self, forKey: .schedule).flatMap { $0.isEmpty ? nil : $0 }
        let jobClass = try container.decodeIfPresent(String.self, forKey: .jobClass).flatMap { $0.isEmpty ? nil : $0 }
        if scope == .job && schedule == nil && jobClass == nil {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: container.codingPath, debugDescription: "a rule needs a 'schedule' or a 'class' (or \"scope\": \"process\")"))
        }
        let actions = try container.decode([RuleAction].self, forKey: .actions)
        if actions.isEmpty {
            throw DecodingError.dataCorruptedError(forKey: .actions, in: container, debugDescription: "a rule needs at least one action")
        }
        if schedule == nil, let index = actions.firstIndex(where: { $0.kind == .disableSchedule }) {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: container.codingPath + [CodingKeys.actions, RuleBook.IndexKey(index)],
                debugDescription: "disable_schedule needs the rule's 'schedule' name"))
        }
        self.init(
            schedule: schedule, jobClass: jobClass, scope: scope,
            queue: try container.decodeIfPresent(String.self, forKey: .queue),
            category: try container.decodeIfPresent(String.self, forKey: .category),
            heaviness: try container.decodeIfPresent(String.self, forKey: .heaviness),
            interval: try container.decodeIfPresent(String.self, forKey: .interval),
            versions: try container.decodeIfPresent(String.self, forKey: .versions),
            context: try container.decodeIfPresent(String.self, forKey: .context),
            actions: actions,
            sideEffect: try container.decodeIfPresent(String.self, forKey: .sideEffect),
            sources: try container.decodeIfPresent([String].self, forKey: .sources) ?? [])
    }
}
