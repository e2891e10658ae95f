@preconcurrency import CGSL
import Foundation

/// An error reported by GSL through its error handler: the FIRST error of one bridged call.
///
/// GSL's default handler calls `abort()`. `GSLErrorBridge` replaces it, once per process, by a handler
/// that records the first error raised on the calling thread; `GSLErrorBridge.call` turns it into
/// this Swift error. Later errors of the same call are dropped: they are usually consequences of
/// the first one and misleading on their own.
public struct GSLError: Error, CustomStringConvertible, Sendable, Equatable {
    /// GSL's error code (`GSL_EDOM`, `GSL_EINVAL`, ...).
    public let code: Int32
    public let reason: String
    public let file: String
    public let line: Int32

    public var description: String {
        let name = String(cString: gsl_strerror(code))
        return "GSL error \(code) (\(name)): \(reason) [\(file):\(line)]"
    }
}

/// Installs this package's GSL error handler and captures the first error of each bridged call.
///
/// The record is kept per thread (a pthread key), so concurrent calls on different threads never see
/// each other's errors. The handler is installed before any GSL routine is reached through
/// `NumericCore`: every wrapper calls `GSLErrorBridge.call` or `ensureInstalled()` first.
public enum GSLErrorBridge {
    /// Per-thread slot holding the first error since the slot was last cleared.
    private final class Slot {
        var first: GSLError?
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in
            if let pointer { Unmanaged<AnyObject>.fromOpaque(pointer).release() }
        }
        return key
    }()

    private static func slot() -> Slot {
        if let raw = pthread_getspecific(key) {
            return Unmanaged<Slot>.fromOpaque(raw).takeUnretainedValue()
        }
        let created = Slot()
        pthread_setspecific(key, Unmanaged.passRetained(created).toOpaque())
        return created
    }

    /// The handler GSL calls instead of aborting: keep the first error, ignore the rest.
    private static let handler: @convention(c) (UnsafePointer<CChar>?, UnsafePointer<CChar>?, Int32, Int32) -> Void = {
        reason, file, line, code in
        let current = GSLErrorBridge.slot()
        guard current.first == nil else { return }
        current.first = GSLError(
            code: code,
            reason: reason.map { String(cString: $0) } ?? "(no reason)",
            file: file.map { String(cString: $0) } ?? "?",
            line: line)
    }

    private static let installation: Bool = {
        _ = gsl_set_error_handler(handler)
        return true
    }()

    /// Installs the handler if it is not installed yet (idempotent, thread-safe: a Swift `static let`
    /// is initialised exactly once).
    public static func ensureInstalled() {
        _ = installation
    }

    /// Runs `body` with a cleared error record and throws the first GSL error it raised, if any.
    /// A non-zero status returned by `body` without a handler call is not an error here: callers that
    /// get such statuses (iteration codes like `GSL_CONTINUE`) interpret them themselves.
    public static func call<T>(_ body: () throws -> T) throws -> T {
        ensureInstalled()
        let current = slot()
        let outer = current.first
        current.first = nil
        defer { if current.first == nil { current.first = outer } }
        let value = try body()
        if let error = current.first {
            current.first = outer
            throw error
        }
        return value
    }

    /// Takes (and clears) the error recorded on this thread since the last `call` or `take`.
    public static func takeRecordedError() -> GSLError? {
        ensureInstalled()
        let current = slot()
        defer { current.first = nil }
        return current.first
    }
}
