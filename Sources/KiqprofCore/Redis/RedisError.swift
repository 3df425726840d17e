/// What went wrong talking to Redis. Messages name the command and key, never argument values or passwords.
public enum RedisError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The URL could not be used (bad syntax, or a scheme hiredis cannot speak).
    case invalidURL(String)
    /// TCP or UNIX-socket connection failed.
    case connectionFailed(endpoint: String, reason: String)
    /// AUTH was refused.
    case authenticationFailed(endpoint: String, user: String?, reason: String)
    /// A socket error or timeout while a command was in flight.
    case io(command: String, reason: String)
    /// The server answered with an error line (e.g. WRONGTYPE, NOPERM).
    case server(command: String, message: String)
    /// The reply had a shape the caller did not expect.
    case unexpectedReply(command: String, expected: String, got: String)
    /// A write command on a read-only connection; refused before sending.
    case writeRefused(command: String)

    public var description: String {
        switch self {
        case .invalidURL(let reason):
            return "invalid Redis URL: \(reason)"
        case .connectionFailed(let endpoint, let reason):
            return "cannot connect to Redis at \(endpoint): \(reason)"
        case .authenticationFailed(let endpoint, let user, let reason):
            let who = user.map { "user '\($0)'" } ?? "the default user"
            return "Redis at \(endpoint) refused authentication for \(who): \(reason)"
        case .io(let command, let reason):
            return "Redis \(command) failed: \(reason)"
        case .server(let command, let message):
            return "Redis \(command) failed: \(message)"
        case .unexpectedReply(let command, let expected, let got):
            return "Redis \(command): expected \(expected), got \(got)"
        case .writeRefused(let command):
            return "refused to send \(command): kiqprof is read-only here (pass --apply where a command offers it)"
        }
    }

    /// True when the server said the key holds another type (WRONGTYPE).
    public var isWrongType: Bool {
        if case .server(_, let message) = self { return message.hasPrefix("WRONGTYPE") }
        return false
    }
}
