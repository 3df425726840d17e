/// Renders a Redis argv as a `redis-cli` command line a user can paste into a shell. Pure.
///
/// It addresses the same server and database kiqprof used (`-s` for a socket, `-h`/`-p` otherwise,
/// `-n` for a database other than 0). A password is never printed: `--askpass` prompts for it.
public enum RedisCLICommandLine {
    public static func render(_ argv: [String], endpoint: RedisEndpoint) -> String {
        var words = ["redis-cli"]
        switch endpoint.address {
        case .unixSocket(let path):
            words += ["-s", path]
        case .tcp(let host, let port):
            words += ["-h", host, "-p", String(port)]
        }
        if endpoint.database != 0 { words += ["-n", String(endpoint.database)] }
        if let user = endpoint.username { words += ["--user", user] }
        if endpoint.password != nil { words.append("--askpass") }
        words += argv
        return ShellWord.line(words)
    }
}
