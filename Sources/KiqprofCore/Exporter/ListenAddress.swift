/// Where `record --listen` serves: an IPv4 address (or `localhost`) and a port. Loopback unless the user
/// says otherwise: the metrics name job classes and hosts, which are nobody else's business.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(_ text: String) throws {
        guard let colon = text.lastIndex(of: ":") else {
            throw KiqprofError.invalidArgument("--listen '\(text)': expected host:port, e.g. 127.0.0.1:9127")
        }
        let hostPart = String(text[..<colon])
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw KiqprofError.invalidArgument("--listen '\(text)': the port must be a number from 0 to 65535")
        }
        let host = hostPart == "localhost" ? "127.0.0.1" : hostPart.isEmpty ? "0.0.0.0" : hostPart
        let octets = host.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
        guard octets.count == 4, octets.allSatisfy({ ($0 ?? -1) >= 0 && ($0 ?? 256) <= 255 }) else {
            throw KiqprofError.invalidArgument("--listen '\(text)': expected an IPv4 address or localhost before the port")
        }
        self.host = host
        self.port = port
    }

    /// 127.0.0.0/8.
    public var isLoopback: Bool { host.hasPrefix("127.") }

    public var description: String { "\(host):\(port)" }
}
