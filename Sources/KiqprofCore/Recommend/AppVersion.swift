/// An application's release version (`4.2.0`, `v4.3.1`, `4.2.0-beta1`, `4.8.0-alpha.1`, `4.3.0+glitch`),
/// ordered as SemVer orders them: a pre-release sorts before its release, build metadata is ignored.
public struct AppVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let major: Int
    public let minor: Int
    public let patch: Int
    /// Dot-separated pre-release identifiers (`["alpha", "1"]`); empty for a release.
    public let prerelease: [String]

    public init(major: Int, minor: Int, patch: Int = 0, prerelease: [String] = []) {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = prerelease
    }

    /// Parses `MAJOR.MINOR[.PATCH][-PRE][+BUILD]` with an optional leading `v`; nil if it is not one.
    public init?(_ text: String) {
        var rest = Substring(text.trimmingWhitespace())
        if rest.first == "v" || rest.first == "V" { rest = rest.dropFirst() }
        if let plus = rest.firstIndex(of: "+") { rest = rest[..<plus] }
        var pre: [String] = []
        if let dash = rest.firstIndex(of: "-") {
            pre = rest[rest.index(after: dash)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !pre.isEmpty, pre.allSatisfy({ !$0.isEmpty }) else { return nil }
            rest = rest[..<dash]
        }
        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count),
              parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }),
              let major = Int(parts[0]), let minor = Int(parts[1])
        else { return nil }
        let patch = parts.count == 3 ? Int(parts[2]) : 0
        guard let patch else { return nil }
        self.init(major: major, minor: minor, patch: patch, prerelease: pre)
    }

    public var description: String {
        "\(major).\(minor).\(patch)" + (prerelease.isEmpty ? "" : "-" + prerelease.joined(separator: "."))
    }

    public static func < (lhs: AppVersion, rhs: AppVersion) -> Bool {
        if lhs.major != rhs.major { return lhs.major < rhs.major }
        if lhs.minor != rhs.minor { return lhs.minor < rhs.minor }
        if lhs.patch != rhs.patch { return lhs.patch < rhs.patch }
        // A release outranks any of its pre-releases.
        if lhs.prerelease.isEmpty || rhs.prerelease.isEmpty { return !lhs.prerelease.isEmpty && rhs.prerelease.isEmpty }
        for (left, right) in zip(lhs.prerelease, rhs.prerelease) where left != right {
            return identifierPrecedes(left, right)
        }
        return lhs.prerelease.count < rhs.prerelease.count
    }

    /// SemVer identifier order, except that `beta1` vs `beta10` compare by their trailing number too.
    private static func identifierPrecedes(_ left: String, _ right: String) -> Bool {
        switch (Int(left), Int(right)) {
        case let (l?, r?): return l < r
        case (.some, nil): return true
        case (nil, .some): return false
        case (nil, nil):
            let (leftStem, leftNumber) = splitTrailingNumber(left)
            let (rightStem, rightNumber) = splitTrailingNumber(right)
            if leftStem == rightStem, let leftNumber, let rightNumber { return leftNumber < rightNumber }
            return left < right
        }
    }

    private static func splitTrailingNumber(_ text: String) -> (Substring, Int?) {
        let digits = text.reversed().prefix(while: \.isASCIIDigit).count
        guard digits > 0 else { return (Substring(text), nil) }
        return (text.dropLast(digits), Int(text.suffix(digits)))
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
