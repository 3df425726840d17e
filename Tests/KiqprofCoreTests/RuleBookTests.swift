import Foundation
import Testing
@testable import KiqprofCore

@Suite struct RuleBookTests {
    private static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private func decode(_ json: String, fileName: String = "my-rules.json") throws(KiqprofError) -> RuleBook {
        try RuleBook.decode(Data(json.utf8), fileName: fileName)
    }

    @Test func bundledLiteralIsTheRulesFile() throws {
        let file = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("rules/mastodon.json"), encoding: .utf8)
        #expect(BundledRules.json == file, "run python3 rules/generate.py")
    }

    @Test func bundledRulesDecode() {
        let book = RuleBook.bundled
        #expect(book.app == "mastodon")
        #expect(book.defaultScheduler == .sidekiqScheduler)
        #expect(book.rules.count == 20)
        // Every schedule of mastodon.md §1.1, the ingress worker and the process rule.
        let schedules = Set(book.rules.compactMap(\.schedule))
        #expect(schedules.count == 18)
        #expect(schedules.contains("self_destruct_scheduler"))
        #expect(schedules.contains("repair_remote_collections_scheduler"))
        #expect(book.rules(matchingClass: "ActivityPub::ProcessingWorker", schedule: nil).count == 1)
        #expect(book.processRules.map(\.category) == ["memory"])
        #expect(book.rules.allSatisfy { rule in rule.actions.allSatisfy { !$0.caveat.isEmpty } })
    }

    @Test func trendsRule() throws {
        let rule = try #require(RuleBook.bundled.rules(matchingClass: nil, schedule: "trends_refresh_scheduler").first)
        #expect(rule.jobClass == "Scheduler::Trends::RefreshScheduler")
        #expect(rule.queue == "scheduler")
        #expect(rule.actions.map(\.kind) == [.upgrade, .disableSchedule, .adminSetting, .reduceIngest])

        let upgrade = rule.actions[0]
        #expect(upgrade.minVersion == AppVersion("4.2.1"))
        #expect(upgrade.reason?.contains("#27253") == true)

        let setting = rule.actions[2]
        #expect(setting.setting == "Setting.trends")
        #expect(setting.value == "false")
        #expect(setting.menuPath == "Administration > Server settings > Discovery > Trends > Enable trends (/admin/settings/discovery)")
        #expect(setting.caveat.contains("does not stop the job"))
        #expect(rule.actions[1].caveat.hasPrefix("Explore/trending content freezes and empties"))
        #expect(rule.sideEffect == "Trending posts/tags/links freeze and drain; no trend review e-mails.")
        #expect(rule.sources.contains("#23590"))
    }

    @Test func upgradeActionsFollowTheAppVersion() throws {
        let rule = try #require(RuleBook.bundled.rules(matchingClass: "Scheduler::Trends::RefreshScheduler", schedule: nil).first)
        let upgrade = rule.actions[0]
        #expect(upgrade.applicability(appVersion: AppVersion("4.1.0")) == .applies)
        #expect(upgrade.applicability(appVersion: AppVersion("4.2.1-rc1")) == .applies)
        #expect(upgrade.applicability(appVersion: AppVersion("4.2.1")) == .notNeeded)
        #expect(upgrade.applicability(appVersion: AppVersion("v4.3.0")) == .notNeeded)
        #expect(upgrade.applicability(appVersion: nil) == .versionUnknown)
        #expect(rule.actions[1].applicability(appVersion: nil) == .applies)
        #expect(rule.actions(appVersion: AppVersion("4.7.0")).map(\.kind) == [.disableSchedule, .adminSetting, .reduceIngest])
        #expect(rule.actions(appVersion: AppVersion("4.0.0")).count == 4)
        #expect(rule.actions(appVersion: nil).count == 4)
    }

    @Test func versionsParseAndCompare() throws {
        #expect(AppVersion("4.2.0") == AppVersion(major: 4, minor: 2, patch: 0))
        #expect(AppVersion("v4.3.1") == AppVersion(major: 4, minor: 3, patch: 1))
        #expect(AppVersion("4.2.0-beta1") == AppVersion(major: 4, minor: 2, patch: 0, prerelease: ["beta1"]))
        #expect(AppVersion("4.8.0-alpha.1")?.prerelease == ["alpha", "1"])
        #expect(AppVersion("4.3.0+glitch") == AppVersion(major: 4, minor: 3, patch: 0))
        #expect(AppVersion("4.2") == AppVersion(major: 4, minor: 2, patch: 0))
        #expect(AppVersion("4.2.0-beta1")?.description == "4.2.0-beta1")
        for bad in ["", "4", "four.two", "4.2.0.1", "4.2.x", "4.2.0-", "4..2"] {
            #expect(AppVersion(bad) == nil, "\(bad)")
        }
        let ordered = ["4.1.9", "4.2.0-alpha.1", "4.2.0-beta1", "4.2.0-beta2", "4.2.0-beta10", "4.2.0-rc1", "4.2.0", "4.2.1", "4.10.0"]
        let versions = ordered.compactMap { AppVersion($0) }
        #expect(versions.count == ordered.count)
        #expect(versions.sorted() == versions)
        #expect(try #require(AppVersion("v4.2.0")) < #require(AppVersion("4.2.1")))
    }

    @Test func matchingByClassAndSchedule() {
        let book = RuleBook.bundled
        #expect(book.rules(matchingClass: "Scheduler::VacuumScheduler", schedule: nil).map(\.schedule) == ["vacuum_scheduler"])
        #expect(book.rules(matchingClass: nil, schedule: "vacuum_scheduler").map(\.jobClass) == ["Scheduler::VacuumScheduler"])
        // A schedule renamed by the admin is still matched through its class.
        #expect(book.rules(matchingClass: "Scheduler::IndexingScheduler", schedule: "my_indexing").count == 1)
        #expect(book.rules(matchingClass: "NoSuchWorker", schedule: "no_such_schedule").isEmpty)
        #expect(book.rules(matchingClass: nil, schedule: nil).isEmpty)
    }

    @Test func userRulesOverrideAndAdd() throws {
        let user = try decode(#"""
        {"version": 1, "app": "shop", "rules": [
          {"schedule": "trends_refresh_scheduler", "class": "Scheduler::Trends::RefreshScheduler",
           "actions": [{"kind": "keep", "reason": "we like trends", "caveat": "CPU"}]},
          {"class": "Scheduler::PgheroScheduler", "actions": [{"kind": "keep", "reason": "r", "caveat": "c"}]},
          {"schedule": "nightly_report", "class": "ReportJob",
           "actions": [{"kind": "disable_schedule", "caveat": "no report"}]}
        ]}
        """#)
        let merged = RuleBook.bundled.merged(with: user)
        #expect(merged.rules.count == RuleBook.bundled.rules.count + 1)
        #expect(merged.app == "mastodon+shop")
        let trends = merged.rules(matchingClass: nil, schedule: "trends_refresh_scheduler")
        #expect(trends.count == 1)
        #expect(trends.first?.actions.map(\.reason) == ["we like trends"])
        // The override keeps the bundled rule's place in the book.
        #expect(merged.rules.firstIndex { $0.schedule == "trends_refresh_scheduler" } == 0)
        // A user rule naming only a class replaces the bundled rule for that class.
        let pghero = merged.rules(matchingClass: "Scheduler::PgheroScheduler", schedule: nil)
        #expect(pghero.count == 1 && pghero.first?.schedule == nil)
        #expect(merged.rules.last?.schedule == "nightly_report")
        #expect(merged.rules(matchingClass: "ReportJob", schedule: nil).first?.actions.first?.kind == .disableSchedule)
    }

    @Test func malformedRulesFilesNameFileAndPosition() {
        #expect(throws: KiqprofError.invalidData(location: "my-rules.json:3:5", reason: "invalid JSON: expected ',' or '}' in an object")) {
            try decode("{\n  \"version\": 1\n    \"app\": \"x\"\n}")
        }
        #expect(throws: KiqprofError.invalidData(
            location: "my-rules.json: rules[0].actions[1].kind",
            reason: "unknown action kind 'explode'; expected one of "
                + RuleAction.Kind.allCases.map(\.rawValue).joined(separator: ", "))
        ) {
            try decode(#"""
            {"version": 1, "app": "x", "rules": [{"class": "A", "actions": [
              {"kind": "keep", "reason": "r", "caveat": "c"}, {"kind": "explode", "caveat": "c"}]}]}
            """#)
        }
        #expect(throws: KiqprofError.invalidData(location: "my-rules.json: rules[0].actions[0]",
            reason: "admin_setting needs 'menu_path'")) {
            try decode(#"{"version": 1, "app": "x", "rules": [{"class": "A", "actions": [{"kind": "admin_setting", "setting": "S","#
                + #" "caveat": "c"}]}]}"#)
        }
        #expect(throws: KiqprofError.invalidData(location: "my-rules.json: rules[0].actions[0].min_version",
            reason: "'soon' is not a version like 4.2.1")) {
            try decode(#"{"version": 1, "app": "x", "rules": [{"class": "A", "actions": [{"kind": "upgrade", "min_version": "soon","#
                + #" "reason": "r", "caveat": "c"}]}]}"#)
        }
        #expect(throws: KiqprofError.invalidData(location: "my-rules.json: rules[1]",
            reason: "a rule needs a 'schedule' or a 'class' (or \"scope\": \"process\")")) {
            try decode(#"{"version": 1, "app": "x", "rules": [{"class": "A", "actions": [{"kind": "keep", "reason": "r", "caveat": "c"}]},"#
                + #" {"actions": []}]}"#)
        }
        #expect(throws: KiqprofError.invalidData(location: "my-rules.json: rules[0].actions[0]",
            reason: "disable_schedule needs the rule's 'schedule' name")) {
            try decode(#"{"version": 1, "app": "x", "rules": [{"class": "A", "actions": [{"kind": "disable_schedule", "caveat": "c"}]}]}"#)
        }
        #expect(throws: KiqprofError.invalidData(location: "my-rules.json: rules[0].actions",
            reason: "expected an array, found an object")) {
            try decode(#"{"version": 1, "app": "x", "rules": [{"class": "A", "actions": {}}]}"#)
        }
        #expect(throws: KiqprofError.invalidData(location: "my-rules.json: app", reason: "expected a string, found a number")) {
            try decode(#"{"version": 1, "app": 7, "rules": []}"#)
        }
        #expect(throws: KiqprofError.invalidData(location: "my-rules.json: version",
            reason: "format version 2 is not supported; expected 1")) {
            try decode(#"{"version": 2, "app": "x", "rules": []}"#)
        }
        #expect(throws: KiqprofError.invalidData(location: "my-rules.json: rules[1]",
            reason: "a second rule for class:A (the first is rules[0])")) {
            try decode(#"{"version": 1, "app": "x", "rules": [{"class": "A", "actions": [{"kind": "keep", "reason": "r", "caveat": "c"}]},"#
                + #" {"class": "A", "actions": [{"kind": "keep", "reason": "r", "caveat": "c"}]}]}"#)
        }
    }

    @Test func unreadableRulesFileIsNamed() {
        #expect(throws: KiqprofError.unreadableFile(path: "/nonexistent/rules.json", reason: "cannot read the rules file")) {
            try RuleBook.load(path: "/nonexistent/rules.json")
        }
    }

    @Test func sidekiqSchedulerSwitch() {
        let plain = ScheduleSwitch(scheduler: .sidekiqScheduler, name: "trends_refresh_scheduler")
        #expect(plain.key == "sidekiq-scheduler:states")
        #expect(plain.disable.argv == ["HSET", "sidekiq-scheduler:states", "trends_refresh_scheduler", #"{"enabled":false}"#])
        #expect(plain.disable.shell == #"redis-cli HSET sidekiq-scheduler:states trends_refresh_scheduler '{"enabled":false}'"#)
        #expect(plain.enable.shell == #"redis-cli HSET sidekiq-scheduler:states trends_refresh_scheduler '{"enabled":true}'"#)
        #expect(plain.read.shell == "redis-cli HGET sidekiq-scheduler:states trends_refresh_scheduler")
        #expect(plain.disable.shell(connectionOptions: ["-h", "10.0.0.5", "-n", "1"])
            == #"redis-cli -h 10.0.0.5 -n 1 HSET sidekiq-scheduler:states trends_refresh_scheduler '{"enabled":false}'"#)
        #expect(plain.webUI(enabled: false) == "Sidekiq Web → Recurring jobs → trends_refresh_scheduler → Disable")
        #expect(plain.schedulerName == "sidekiq-scheduler")
        #expect(plain.disable.redisCommand.name == "HSET")
        #expect(plain.disable.redisCommand.key == "sidekiq-scheduler:states")
        #expect(!plain.disable.redisCommand.isReadOnly && plain.read.redisCommand.isReadOnly)

        let namespaced = ScheduleSwitch(scheduler: .sidekiqScheduler, name: "vacuum_scheduler", redisNamespace: "mastodon")
        #expect(namespaced.disable.shell == #"redis-cli HSET mastodon:sidekiq-scheduler:states vacuum_scheduler '{"enabled":false}'"#)
        let prefixed = ScheduleSwitch(
            scheduler: .sidekiqScheduler, name: "vacuum_scheduler", redisNamespace: "mastodon", schedulerKeyPrefix: "my-app")
        #expect(prefixed.enable.shell == #"redis-cli HSET mastodon:my-app:sidekiq-scheduler:states vacuum_scheduler '{"enabled":true}'"#)
        #expect(ScheduleSwitch(scheduler: .sidekiqScheduler, name: "x", redisNamespace: "").key == "sidekiq-scheduler:states")
    }

    @Test func sidekiqCronSwitch() {
        let v1 = ScheduleSwitch(scheduler: .sidekiqCron, name: "nightly")
        #expect(v1.disable.argv == ["HSET", "cron_job:nightly", "status", "disabled"])
        #expect(v1.disable.shell == "redis-cli HSET cron_job:nightly status disabled")
        #expect(v1.enable.shell == "redis-cli HSET cron_job:nightly status enabled")
        #expect(v1.read.shell == "redis-cli HGET cron_job:nightly status")
        #expect(v1.webUI(enabled: false) == "Sidekiq Web → Cron → nightly → Disable")

        let v2 = ScheduleSwitch(scheduler: .sidekiqCron, name: "nightly", cronNamespace: "default")
        #expect(v2.disable.shell == "redis-cli HSET cron_job:default:nightly status disabled")
        let v2Namespaced = ScheduleSwitch(
            scheduler: .sidekiqCron, name: "nightly", redisNamespace: "app", schedulerKeyPrefix: "ignored", cronNamespace: "default")
        #expect(v2Namespaced.enable.shell == "redis-cli HSET app:cron_job:default:nightly status enabled")
        #expect(ScheduleSwitch(scheduler: .sidekiqCron, name: "it's", redisNamespace: "app").disable.shell
            == #"redis-cli HSET 'app:cron_job:it'\''s' status disabled"#)
    }

    @Test func switchForAScheduleFoundInRedis() {
        let schedule = PeriodicSchedule(
            name: "nightly", jobClass: "ReportJob", source: .sidekiqCron, cron: "0 3 * * *", every: nil, enabled: true,
            lastRun: nil, nextRun: nil, queue: "default", description: nil, cronNamespace: "default",
            toggleKey: "ns:cron_job:default:nightly")
        let found = ScheduleSwitch(schedule: schedule)
        #expect(found.scheduler == .sidekiqCron)
        #expect(found.disable.shell == "redis-cli HSET ns:cron_job:default:nightly status disabled")
    }
}

/// Nested so `swift test --filter RuleBookTests` runs these too.
extension RuleBookTests {
    @Suite struct Steps {
        private let trends = RuleBook.bundled.rules(matchingClass: nil, schedule: "trends_refresh_scheduler")[0]

        @Test func disableStepNamesTheSchedulerFoundInRedis() {
            let cron = ScheduleSwitch(scheduler: .sidekiqCron, name: "trends_refresh_scheduler", cronNamespace: "default")
            #expect(trends.actions[1].steps(appVersion: nil, scheduleSwitch: cron) == [
                "Disable the schedule trends_refresh_scheduler in sidekiq-cron: Sidekiq Web → Cron → trends_refresh_scheduler → Disable, "
                    + "or run `redis-cli HSET cron_job:default:trends_refresh_scheduler status disabled`.",
                "To undo: `redis-cli HSET cron_job:default:trends_refresh_scheduler status enabled`.",
            ])
            #expect(trends.actions[1].steps(appVersion: nil, scheduleName: "trends_refresh_scheduler").first?
                .contains("which scheduler holds it is unknown") == true)
        }

        @Test func upgradeStepFollowsTheVersion() {
            let upgrade = trends.actions[0]
            #expect(upgrade.steps(appVersion: AppVersion("4.3.0")).isEmpty)
            #expect(upgrade.steps(appVersion: AppVersion("4.1.0")).first?.hasPrefix("Upgrade from 4.1.0 to 4.2.1 or later: no lock before"
                + " 4.2.1") == true)
            #expect(upgrade.steps(appVersion: nil).first?
                .hasPrefix("Upgrade to 4.2.1 or later if the app is older than 4.2.1; the app version is unknown (pass"
                    + " --app-version)") == true)
        }

        @Test func settingAndEnvSteps() {
            #expect(trends.actions[2].steps(appVersion: nil) == [
                "Set Setting.trends to false in Administration > Server settings > Discovery > Trends > Enable trends"
                    + " (/admin/settings/discovery).",
                "hides trends only; does NOT stop the job.",
            ])
            let indexing = RuleBook.bundled.rules(matchingClass: "Scheduler::IndexingScheduler", schedule: nil)[0]
            #expect(indexing.actions[0].steps(appVersion: nil) == ["Set ES_ENABLED=false in .env.production, then restart mastodon-sidekiq"
                + " and mastodon-web."])
            let update = RuleBook.bundled.rules(matchingClass: "Scheduler::SoftwareUpdateCheckScheduler", schedule: nil)[0]
            #expect(update.actions[0].steps(appVersion: nil) == ["Set UPDATE_CHECK_URL= (empty) in .env.production, then restart"
                + " mastodon-sidekiq and mastodon-web."])
            // Every bundled action renders to at least one step when the version is unknown.
            for rule in RuleBook.bundled.rules {
                for action in rule.actions {
                    #expect(!action.steps(appVersion: nil, scheduleName: rule.schedule).isEmpty, "\(rule.key) \(action.kind)")
                }
            }
        }
    }
}
