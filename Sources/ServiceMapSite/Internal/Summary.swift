import Foundation
import ServiceMapCore

/// Plain-text helpers for descriptions. Imported descriptions are shown as text paragraphs
/// (escaped by the templates), never as HTML: a spreadsheet cell must not be able to add markup.
enum Summary {
    static func paragraphs(_ text: String) -> [String] {
        // One line (most "how to refer" notes): one paragraph, trimmed, without Foundation's splitting.
        if !text.containsUTF8(where: { $0 == 0x0A || $0 == 0x0D }) {
            let line = text.trimmingSpaces()
            return line.isEmpty ? [] : [line]
        }
        return text.replacingOccurrences(of: "\r\n", with: "\n")
            .components(separatedBy: "\n\n")
            .map { $0.split(separator: "\n").map { $0.trimmingSpaces() }.joined(separator: " ") }
            .filter { !$0.isEmpty }
    }

    /// The first sentence, at most about 200 characters, for lists and search results.
    static func firstSentence(_ text: String, limit: Int = 200) -> String {
        // Lines are joined with spaces; a text without line breaks (most descriptions) is skipped
        // over by bytes rather than split by characters.
        let flat = (hasLineBreak(text) ? text.split(whereSeparator: \.isNewline).joined(separator: " ") : text).trimmingSpaces()
        var end = flat.endIndex
        if let dot = Self.firstSentenceEnd(flat) { end = dot }
        var sentence = String(flat[..<end])
        // A character is at least one byte, so a short text in bytes is short in characters.
        if sentence.utf8.count > limit && sentence.count > limit {
            sentence = String(sentence.prefix(limit))
            if let space = sentence.lastIndex(of: " ") { sentence = String(sentence[..<space]) }
            sentence += "…"
        }
        return sentence
    }

    /// Whether `text` holds any character `Character.isNewline` is true of: LF, VT, FF, CR, NEL,
    /// LINE SEPARATOR or PARAGRAPH SEPARATOR.
    static func hasLineBreak(_ text: String) -> Bool {
        var previous: UInt8 = 0, beforePrevious: UInt8 = 0
        for byte in text.utf8 {
            switch byte {
            case 0x0A...0x0D: return true
            case 0x85 where previous == 0xC2: return true
            case 0xA8, 0xA9: if previous == 0x80 && beforePrevious == 0xE2 { return true }
            default: break
            }
            beforePrevious = previous
            previous = byte
        }
        return false
    }

    /// Just after the full stop of the first ". " in `text`.
    static func firstSentenceEnd(_ text: String) -> String.Index? {
        let utf8 = text.utf8
        var index = utf8.startIndex
        while index != utf8.endIndex {
            if utf8[index] == 0x2E {
                let next = utf8.index(after: index)
                if next != utf8.endIndex && utf8[next] == 0x20 { return next }
            }
            index = utf8.index(after: index)
        }
        return nil
    }
}

/// What each ring of the continuum means, in plain words for a practitioner.
enum RingText {
    static func explanation(_ ring: ContinuumRing) -> String {
        switch ring {
        case .universal: "Services open to every family, such as health visiting, midwifery, GPs, nurseries and libraries."
        case .earlyHelp: "Extra help for a family with additional needs, offered early and with the family's agreement, before any social-work assessment."
        case .childInNeed: "A social-work assessment has found a child in need of services. This is where statutory social work starts."
        case .unidentifiedChildProtection: "Concerns about harm that services have not yet recognised as child protection."
        case .childProtection: "A child protection plan or compulsory measures are in place."
        case .preProceedings: "The local authority is preparing to go to court (in England, the Public Law Outline)."
        case .court: "Care proceedings or a Children's Hearing are deciding what happens."
        }
    }
}

extension Int {
    /// The number as people read it, with thousands grouped by commas ("100,000"), the same on
    /// every machine: a page's text must not depend on the locale of the computer that built it.
    var grouped: String {
        let digits = String(magnitude)
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return self < 0 ? "-" + out : out
    }
}
