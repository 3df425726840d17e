/// Errors of kiqprof's own logic (not Redis, not storage). Each is one line that names what failed.
public enum KiqprofError: Error, Equatable, CustomStringConvertible, Sendable {
    case invalidArgument(String)
    case unreadableFile(path: String, reason: String)
    case invalidData(location: String, reason: String)

    public var description: String {
        switch self {
        case .invalidArgument(let reason): return reason
        case .unreadableFile(let path, let reason): return "\(path): \(reason)"
        case .invalidData(let location, let reason): return "\(location): \(reason)"
        }
    }
}
