/// Reads the repeat period of simple cron expressions: `* * * * *`, `*/5 * * * *`, `0 * * * *`, `17 3 * * *`,
/// `0 4 * * 1`, and the six-field form with seconds that sidekiq-cron accepts. Irregular ones give nil.
public enum CronPeriod {
    public static func period(of expression: String) -> Double? {
        let fields = expression.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 || fields.count == 6 else { return nil }
        // Time-of-day fields, finest first; the period is set by the finest one that is not a fixed value.
        let timeUnits: [Double] = fields.count == 6 ? [1, 60, 3600] : [60, 3600]
        for (index, unit) in timeUnits.enumerated() {
            let field = fields[index]
            if field == "*" { return unit }
            if field.hasPrefix("*/"), let step = Double(field.dropFirst(2)), step > 0 { return unit * step }
            if Int(field) == nil { return nil }
        }
        let dayOfMonth = fields[timeUnits.count], month = fields[timeUnits.count + 1], dayOfWeek = fields[timeUnits.count + 2]
        guard month == "*" else { return nil }
        if dayOfMonth == "*" && dayOfWeek == "*" { return 86400 }
        if dayOfMonth == "*" && Int(dayOfWeek) != nil { return 7 * 86400 }
        return nil
    }
}
