/// `capacity`'s I/O: loads the window as `incident` does (the same session, so the suspects agree), reads the
/// systemd unit and env file for Sidekiq's settings, and hands both to the pure `CapacityAnalyzer`.
public struct CapacitySession {
    public var analysis: AnalysisSession
    public var instance: BurstableInstance?
    public var startBalance: Double?
    public var unitPath: String?
    public var envFilePath: String?

    public init(analysis: AnalysisSession, instance: BurstableInstance?, startBalance: Double? = nil, unitPath: String? = nil,
                envFilePath: String? = nil) {
        self.analysis = analysis
        self.instance = instance
        self.startBalance = startBalance
        self.unitPath = unitPath
        self.envFilePath = envFilePath
    }

    public func run() throws -> CapacityAnalysis {
        let settings = try readSettings()
        var note: String?
        let loaded: AnalysisSession.Loaded
        do {
            loaded = try analysis.load()
        } catch let failure as AnalysisSession.Failure {
            throw failure
        } catch where analysis.redis != nil {
            // Redis only refines the schedules here; sizing needs the store alone.
            note = "Redis did not answer (\(error)): schedules come from the store's copies"
            var withoutRedis = analysis
            withoutRedis.redis = nil
            loaded = try withoutRedis.load()
        }
        var analyzer = CapacityAnalyzer(instance: instance, startBalance: startBalance, settings: settings)
        analyzer.settings = settings
        var result = analyzer.analyze(loaded.dataset, incident: loaded.analysis)
        if let note { result.missing.append(note) }
        return result
    }

    /// The unit and env file as Sidekiq would see them; nil when neither is given.
    public func readSettings() throws -> SidekiqSettings? {
        guard unitPath != nil || envFilePath != nil else { return nil }
        let unit = try unitPath.map { try SystemdUnitFile(path: $0) }
        let env = try envFilePath.map { try EnvironmentFile(path: $0) }
        return SidekiqSettings.resolve(unit: unit, unitName: unitPath.map(Self.basename), env: env,
                                       envName: envFilePath.map(Self.basename))
    }

    static func basename(_ path: String) -> String { String(path.split(separator: "/").last ?? Substring(path)) }
}
