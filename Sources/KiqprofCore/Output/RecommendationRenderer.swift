/// Renders `kiqprof recommend`: the documented JSON (docs/cli.md) or numbered text.
public enum RecommendationRenderer {
    public static func json(_ result: Recommender.Result, appVersion: String?) -> JSONValue {
        .object([
            ("recommendations", .array(result.recommendations.map(json))),
            ("nothing_stands_out", .text(result.nothingStandsOut)),
            ("app_version", .text(appVersion)),
        ])
    }

    public static func json(_ recommendation: Recommendation) -> JSONValue {
        .object([
            ("class", .text(recommendation.jobClass)), ("schedule", .text(recommendation.schedule)),
            ("action", .string(recommendation.action)), ("steps", .strings(recommendation.steps)),
            ("side_effect", .text(recommendation.sideEffect)), ("evidence", .strings(recommendation.evidence)),
            ("impact", .string(recommendation.impact)), ("impact_score", .number(recommendation.impactScore, places: 2)),
            ("origin", .string(recommendation.origin)),
        ])
    }

    public static func text(_ result: Recommender.Result) -> String {
        if let nothing = result.nothingStandsOut { return nothing + "\n" }
        var out = "Recommendations, highest expected impact first\n\n"
        for (index, recommendation) in result.recommendations.enumerated() {
            let subject = recommendation.jobClass.map { TextTable.sanitize($0, limit: 120) } ?? "all Sidekiq processes"
            out += "\(index + 1). \(recommendation.action) · \(subject)"
            if let schedule = recommendation.schedule { out += " (schedule \(TextTable.sanitize(schedule, limit: 120)))" }
            out += "\n   impact: \(recommendation.impact)\n"
            for step in recommendation.steps { out += "   → \(TextTable.sanitize(step, limit: 600))\n" }
            if let sideEffect = recommendation.sideEffect { out += "   side effect: \(TextTable.sanitize(sideEffect, limit: 600))\n" }
            out += "   because:\n"
            for sentence in recommendation.evidence { out += "     - \(TextTable.sanitize(sentence, limit: 600))\n" }
            out += "\n"
        }
        return out
    }
}
