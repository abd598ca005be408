import Foundation
import ServiceMapCore

/// A value a theme template can show: text, a yes/no flag, a number, a list, or named values.
///
/// Pages assemble their values as `[String: Any]` (the natural shape of literals in Swift); they are
/// turned into this type once per page, so the renderer and the incremental build's fingerprint
/// walk a closed set of cases instead of asking the runtime what each value is at every lookup
/// (which was a fifth of a large build's time).
enum TemplateValue: Sendable {
    case text(String)
    case flag(Bool)
    case number(Int)
    case list([TemplateValue])
    case object([String: TemplateValue])
    /// Text made only if the page is rendered, known until then by a fingerprint of what it is
    /// made from: the items of a list page, which a rebuild that keeps the page never renders.
    case deferred(DeferredText)

    /// Converts a page's values. Strings, flags, integers, dictionaries with string keys and arrays
    /// map to their cases; a `TemplateValue` is taken as it is; an optional is its wrapped value;
    /// anything else is shown by its description.
    init(_ any: Any) {
        switch any {
        case let text as String: self = .text(text)
        case let flag as Bool: self = .flag(flag)
        case let number as Int: self = .number(number)
        case let object as [String: Any]: self = .object(object.mapValues(TemplateValue.init))
        case let objects as [[String: Any]]: self = .list(objects.map { .object($0.mapValues(TemplateValue.init)) })
        case let texts as [String]: self = .list(texts.map(TemplateValue.text))
        case let values as [TemplateValue]: self = .list(values)
        case let value as TemplateValue: self = value
        case let deferred as DeferredText: self = .deferred(deferred)
        case let list as [Any]: self = .list(list.map(TemplateValue.init))
        case let optional as OptionalValue:
            if let wrapped = optional.wrappedValue { self.init(wrapped) } else { self = .text("") }
        default: self = .text(String(describing: any))
        }
    }

    /// A page's top-level values as `Dictionary.compacted` leaves them (no empty text, lists or
    /// sets of values; `key_any` beside each non-empty list), converted in the same pass.
    static func compacting(_ values: [String: Any]) -> TemplateValue {
        var result: [String: TemplateValue] = [:]
        result.reserveCapacity(values.count + 4)
        for (key, value) in values {
            let converted = TemplateValue(value)
            switch converted {
            case .text(let text) where text.isEmpty: continue
            case .object(let object) where object.isEmpty: continue
            case .list(let items):
                if items.isEmpty { continue }
                result[key + "_any"] = .flag(true)
            default: break
            }
            result[key] = converted
        }
        return .object(result)
    }

    /// The named value, when this is a set of named values that has it.
    @inline(__always)
    func child(_ name: String) -> TemplateValue? {
        if case .object(let values) = self { return values[name] }
        return nil
    }
}

/// Lets a value of any optional type be unwrapped without knowing the wrapped type.
private protocol OptionalValue {
    var wrappedValue: Any? { get }
}

extension Optional: OptionalValue {
    fileprivate var wrappedValue: Any? { self.map { $0 as Any } }
}

extension Fingerprint {
    /// A page's values as the templates see them: named values by sorted name, lists in order.
    mutating func add(value: TemplateValue) {
        switch value {
        case .text(let text): add(text)
        case .flag(let flag): add(flag ? -1 : -2)
        case .number(let number):
            add(0)
            add(number)
        case .list(let items):
            add(-3)
            add(items.count)
            for item in items { add(value: item) }
        case .object(let values):
            add(-4)
            add(values.count)
            for key in values.keys.sorted() {
                add(key)
                add(value: values[key]!)
            }
        case .deferred(let deferred):
            add(-5)
            add(deferred.fingerprint)
        }
    }
}

/// Text a template shows that is worked out only when first asked for (see `TemplateValue.deferred`).
/// Its fingerprint must change whenever the text would.
final class DeferredText: @unchecked Sendable {
    let fingerprint: Fingerprint
    private let make: () -> String
    private let made = OnceValue<String>()

    init(fingerprint: Fingerprint, make: @escaping () -> String) {
        self.fingerprint = fingerprint
        self.make = make
    }

    var text: String { made.value(make) }
}
