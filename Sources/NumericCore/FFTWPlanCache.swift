import CFFTW
import Foundation
import Synchronization

/// One FFTW plan, shared by every caller that transforms data of its kind and size.
///
/// FFTW's planner is not thread-safe, so plans are created and destroyed only while holding
/// `FFTWPlanCache`'s planner lock. Executing a plan with the new-array functions
/// (`fftw_execute_r2r`, `fftw_execute_dft_r2c`, `fftw_execute_dft_c2r`) is thread-safe, so any number of
/// threads may execute the same plan at once on their own arrays. Plans are made with
/// `FFTW_UNALIGNED`, so they accept arrays of any alignment; in-place and out-of-place plans are
/// separate cache entries because FFTW requires the new arrays to keep the plan's placement.
public final class FFTWPlan: @unchecked Sendable {
    // @unchecked: the pointer is immutable after init, FFTW's new-array execute functions are
    // thread-safe, and destruction happens once, in deinit, under the planner lock.
    @usableFromInline let plan: OpaquePointer

    init(_ plan: OpaquePointer) { self.plan = plan }

    deinit {
        FFTWPlanCache.planner.lock()
        fftw_destroy_plan(plan)
        FFTWPlanCache.planner.unlock()
    }
}

/// The process-wide cache of FFTW plans: one plan per (transform, size, placement), created on first
/// use and reused by every later caller and thread.
///
/// Planning flags are `FFTW_ESTIMATE | FFTW_UNALIGNED` (plus `FFTW_PRESERVE_INPUT` for complex-to-real):
/// `FFTW_ESTIMATE` picks the algorithm from a model, not from timings, so the plan for a size, and
/// hence every transformed bit, is the same in every run and every process. `FFTW_MEASURE` can choose
/// different algorithms in different runs (timing noise), which would break the package's promise that
/// a seeded computation is bitwise reproducible, and it costs seconds of planning per new size. For the
/// sizes used here (≤ a few thousand points) the estimated plans are within a few tens of percent of
/// measured ones.
public enum FFTWPlanCache {
    /// What a plan computes.
    public enum Transform: Hashable, Sendable {
        /// A real-to-real transform (FFTW kinds REDFT00 ... RODFT01); see `RealTransform.Kind`.
        case realToReal(RealTransform.Kind)
        /// A separable 2-D real-to-real transform of a row-major rows × columns array: `alongColumns`
        /// acts on each column (the slow index), `alongRows` on each row (the fast index).
        case realToRealGrid(alongColumns: RealTransform.Kind, alongRows: RealTransform.Kind, rows: Int)
        /// Real input of n points to n/2 + 1 complex coefficients.
        case realToComplex
        /// n/2 + 1 complex coefficients to n real points (the input is preserved).
        case complexToReal
    }

    struct Key: Hashable {
        var transform: Transform
        var count: Int
        var inPlace: Bool
    }

    /// Serialises every call into FFTW's planner (plan creation and destruction).
    static let planner = NSLock()
    private static let plans = Mutex<[Key: FFTWPlan]>([:])

    /// The cached plan for `transform` of `count` points, created (under the planner lock) on first use.
    /// `count` must already be validated by the caller (>= 1, and >= 2 for DCT-I); for a grid it is the
    /// number of columns (the fast index).
    static func plan(_ transform: Transform, count: Int, inPlace: Bool) -> FFTWPlan {
        let key = Key(transform: transform, count: count, inPlace: inPlace)
        return plans.withLock { table in
            if let existing = table[key] { return existing }
            let created = FFTWPlan(makePlan(key))
            table[key] = created
            return created
        }
    }

    /// Number of plans currently cached.
    public static var count: Int { plans.withLock { $0.count } }

    /// Drops every cached plan. Plans still held by a running transform stay alive until it finishes
    /// (they are reference counted) and are then destroyed under the planner lock.
    public static func removeAll() {
        let dropped = plans.withLock { table -> [Key: FFTWPlan] in
            let old = table
            table = [:]
            return old
        }
        _ = dropped.count  // released here, outside the table lock
    }

    private static func makePlan(_ key: Key) -> OpaquePointer {
        let n = key.count
        // Planning with FFTW_ESTIMATE never reads or writes the arrays, but FFTW needs real pointers to
        // record placement; complex arrays hold n/2 + 1 pairs.
        var scratchCount = max(n, 2 * (n / 2 + 1))
        if case .realToRealGrid(_, _, let rows) = key.transform { scratchCount = n * rows }
        let input = UnsafeMutablePointer<Double>.allocate(capacity: scratchCount)
        let output = key.inPlace ? input : UnsafeMutablePointer<Double>.allocate(capacity: scratchCount)
        defer {
            input.deallocate()
            if !key.inPlace { output.deallocate() }
        }
        let estimate = UInt32(FFTW_ESTIMATE) | UInt32(FFTW_UNALIGNED)
        planner.lock()
        defer { planner.unlock() }
        let made: OpaquePointer? = {
            switch key.transform {
            case .realToReal(let kind):
                let preserve = key.inPlace ? 0 : UInt32(FFTW_PRESERVE_INPUT)
                return fftw_plan_r2r_1d(Int32(n), input, output, kind.fftwKind, estimate | preserve)
            case .realToRealGrid(let slow, let fast, let rows):
                let preserve = key.inPlace ? 0 : UInt32(FFTW_PRESERVE_INPUT)
                return fftw_plan_r2r_2d(Int32(rows), Int32(n), input, output, slow.fftwKind, fast.fftwKind, estimate | preserve)
            case .realToComplex:
                return output.withMemoryRebound(to: fftw_complex.self, capacity: n / 2 + 1) {
                    fftw_plan_dft_r2c_1d(Int32(n), input, $0, estimate)
                }
            case .complexToReal:
                return input.withMemoryRebound(to: fftw_complex.self, capacity: n / 2 + 1) {
                    fftw_plan_dft_c2r_1d(Int32(n), $0, output, estimate | UInt32(FFTW_PRESERVE_INPUT))
                }
            }
        }()
        guard let made else {
            // FFTW_ESTIMATE planning of a supported 1-D or 2-D transform only fails when memory is exhausted.
            fatalError("FFTW could not create a plan for \(key.transform) of size \(n): out of memory")
        }
        return made
    }
}
