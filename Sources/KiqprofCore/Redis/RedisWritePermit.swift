/// One write a connection may send: a command name on one exact key, e.g. `HSET sidekiq-scheduler:states`.
/// `toggle --apply` opens its connection with only the permit it needs, so a bug elsewhere cannot turn
/// it into a general writer.
public struct RedisWritePermit: Sendable, Hashable, CustomStringConvertible {
    /// Upper-cased command name.
    public let command: String
    public let key: String

    public init(_ command: String, key: String) {
        self.command = command.uppercased()
        self.key = key
    }

    public func permits(_ command: RedisCommand) -> Bool {
        command.name == self.command && command.key == key
    }

    public var description: String { "\(command) \(key)" }
}
