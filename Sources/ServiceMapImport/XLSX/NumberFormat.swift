import Foundation

/// What a cell's number format says its number is: spreadsheets store dates as plain serial
/// numbers, and only the format tells a date from a count.
enum NumberFormatKind: Equatable {
    case number
    /// Shows a calendar date (perhaps with a time).
    case date
    /// Shows only a time of day.
    case time
    /// Elapsed time such as `[h]:mm`: a duration, kept as a number.
    case duration

    /// Excel's built-in formats: 14–22 and 45–47 in every locale, 27–36 and 50–58 in East Asian ones.
    static func builtIn(_ id: Int) -> NumberFormatKind {
        switch id {
        case 14...17, 22, 27...36, 50...58: return .date
        case 18...21, 45, 47: return .time
        case 46: return .duration
        default: return .number
        }
    }

    /// Classifies a custom format code such as `dd/mm/yyyy`, `"Week of "d mmm` or `[h]:mm:ss`.
    /// Quoted literals, backslash escapes, `[colour]`/`[$-locale]` brackets and `_x`/`*x` padding
    /// are skipped, so letters inside them are not mistaken for date parts.
    static func classify(_ code: String) -> NumberFormatKind {
        // Only the first section decides (positive numbers); later ones are for negatives/zero/text.
        var hasDate = false, hasTime = false, hasElapsed = false
        var previousTimeLetter: Character? = nil  // to tell minutes (after h, before s) from months
        var pendingM = false
        let chars = Array(code)
        var i = 0
        func settleM(minutes: Bool) {
            if pendingM { if minutes { hasTime = true } else { hasDate = true } }
            pendingM = false
        }
        while i < chars.count {
            let c = chars[i]
            switch c {
            case ";":
                i = chars.count
                continue
            case "\"":
                i += 1
                while i < chars.count, chars[i] != "\"" { i += 1 }
            case "\\", "_", "*":
                i += 1
            case "[":
                var j = i + 1
                var inner = ""
                while j < chars.count, chars[j] != "]" { inner.append(chars[j]); j += 1 }
                let lowered = inner.lowercased()
                if !lowered.isEmpty, lowered.allSatisfy({ $0 == "h" || $0 == "m" || $0 == "s" }) { hasElapsed = true }
                i = j
            default:
                switch c.lowercased() {
                case "y", "d":
                    settleM(minutes: false)
                    hasDate = true
                    previousTimeLetter = nil
                case "h":
                    settleM(minutes: false)
                    hasTime = true
                    previousTimeLetter = "h"
                case "s":
                    settleM(minutes: true)
                    hasTime = true
                    previousTimeLetter = "s"
                case "m":
                    if previousTimeLetter == "h" { hasTime = true; previousTimeLetter = nil }
                    else { pendingM = true }
                    while i + 1 < chars.count, chars[i + 1].lowercased() == "m" { i += 1 }
                case "a" where String(chars[i...].prefix(5)).lowercased() == "am/pm":
                    hasTime = true
                    i += 4
                default:
                    break
                }
            }
            i += 1
        }
        settleM(minutes: false)
        if hasElapsed { return .duration }
        if hasDate { return .date }
        if hasTime { return .time }
        return .number
    }
}
