import Foundation

/// Objects a one-shot command hands over instead of freeing: they live until the process exits,
/// which returns their memory at once (see `SiteOptions.freesMemoryAtEnd`).
public enum KeptUntilExit {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var kept: [Any] = []

    public static func keep(_ value: Any) {
        lock.lock()
        kept.append(value)
        lock.unlock()
    }
}
