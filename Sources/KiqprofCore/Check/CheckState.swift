/// A monitoring plugin's verdict (Nagios/Icinga convention): its exit code is the state.
public enum CheckState: Int, Sendable, Equatable, Comparable, CaseIterable {
    case ok = 0
    case warning = 1
    case critical = 2
    case unknown = 3

    public var exitCode: Int32 { Int32(rawValue) }

    public var label: String {
        switch self {
        case .ok: "OK"
        case .warning: "WARNING"
        case .critical: "CRITICAL"
        case .unknown: "UNKNOWN"
        }
    }

    /// Severity for combining: CRITICAL > UNKNOWN > WARNING > OK, as Icinga ranks service states.
    var severity: Int {
        switch self {
        case .ok: 0
        case .warning: 1
        case .unknown: 2
        case .critical: 3
        }
    }

    public static func < (lhs: CheckState, rhs: CheckState) -> Bool { lhs.severity < rhs.severity }
}
