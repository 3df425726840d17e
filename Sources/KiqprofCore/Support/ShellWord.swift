/// POSIX shell quoting for the commands kiqprof prints to paste (`redis-cli …`, `kiqprof toggle …`): a word
/// stays bare when every character is safe, otherwise it is single-quoted with `'\''` for a quote.
public enum ShellWord {
    private static let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-")

    public static func quote(_ word: String) -> String {
        if !word.isEmpty, word.allSatisfy({ safe.contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    public static func line(_ words: [String]) -> String {
        words.map(quote).joined(separator: " ")
    }
}
