extension RuleAction {
    /// The steps of this action as sentences for `recommend`'s `steps`, or none when it does not apply
    /// (an upgrade the app version already satisfies).
    /// - Parameters:
    ///   - appVersion: from `--app-version`; nil makes an upgrade step say the version is unknown.
    ///   - scheduleSwitch: for `disable_schedule`, built for the scheduler that really holds the schedule
    ///     (found in Redis or the store); nil when it was found in neither, and the step says so.
    ///   - scheduleName: the schedule name to mention when there is no switch.
    public func steps(appVersion: AppVersion?, scheduleSwitch: ScheduleSwitch? = nil, scheduleName: String? = nil) -> [String] {
        let condition = when.map { "When \($0): " } ?? ""
        var steps: [String]
        switch kind {
        case .disableSchedule:
            if let scheduleSwitch {
                steps = [
                    condition + "Disable the schedule \(scheduleSwitch.name) in \(scheduleSwitch.schedulerName): "
                        + "\(scheduleSwitch.webUI(enabled: false)), or run `\(scheduleSwitch.disable.shell)`.",
                    "To undo: `\(scheduleSwitch.enable.shell)`.",
                ]
            } else {
                steps = [condition + "Disable the schedule \(scheduleName ?? "of this job") in its scheduler; it was not found "
                    + "in Redis or the store, so which scheduler holds it is unknown (see `kiqprof toggle list`)."]
            }
        case .adminSetting:
            steps = [condition + "Set \(setting ?? "the setting")\(value.map { " to \($0)" } ?? "") in"
                + " \(menuPath ?? "the admin settings")."]
        case .userSetting:
            steps = [condition + "Each user can change \(setting ?? "it") in \(menuPath ?? "their preferences")."]
        case .env:
            let assignment = "\(variable ?? "?")=\(value ?? "")" + (value?.isEmpty == true ? " (empty)" : "")
            steps = [condition + "Set \(assignment) in \(file ?? ".env.production")" + (restart.map { ", then restart \($0)." } ?? ".")]
        case .tootctl:
            steps = [condition + "Run `\(command ?? "")`."]
        case .upgrade:
            let target = minVersion.map { "\($0)" } ?? "a newer version"
            let threshold = (below ?? minVersion).map { "\($0)" } ?? target
            let why = reason.map { ": \($0)" } ?? ""
            switch applicability(appVersion: appVersion) {
            case .notNeeded: return []
            case .applies: steps = [condition + "Upgrade from \(appVersion.map { "\($0)" } ?? "?") to \(target) or later\(why)."]
            case .versionUnknown:
                steps = [condition + "Upgrade to \(target) or later if the app is older than \(threshold); "
                    + "the app version is unknown (pass --app-version)\(why)."]
            }
        case .reduceIngest:
            steps = [condition + "Reduce the incoming work: \(menuPath ?? "")."]
        case .avoid:
            steps = [condition + "Avoid \(setting ?? "this setting")\(menuPath.map { " (\($0))" } ?? "")\(reason.map { ": \($0)" } ?? "")."]
        case .keep:
            steps = [condition + "Keep this job running\(reason.map { ": \($0)" } ?? "")"]
        case .lowerConcurrency:
            var text = condition + "Lower Sidekiq's threads: \(variable ?? "SIDEKIQ_CONCURRENCY")=\(value ?? "")"
            text += file.map { " in \($0)" } ?? ""
            text += systemd.map { ", or in systemd: \($0)" } ?? ""
            steps = [text + "."]
        case .isolateQueue:
            steps = [condition + "Run the \(queue ?? "") queue in a process of its own."]
        case .periodicRestart:
            steps = [condition + "Add \(setting ?? "") to \(file ?? "the service unit")."]
        }
        if let note, !note.isEmpty { steps.append(note) }
        return steps.map(Self.sentence)
    }

    /// Ends a step with one full stop, whatever punctuation the rule's own text ended with.
    private static func sentence(_ text: String) -> String {
        var trimmed = Substring(text)
        while trimmed.hasSuffix(".") && !trimmed.hasSuffix("...") { trimmed = trimmed.dropLast() }
        return trimmed + "."
    }
}
