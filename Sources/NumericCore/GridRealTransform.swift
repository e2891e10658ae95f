import CFFTW

/// A separable real-to-real transform of a row-major `rows` × `columns` array: `alongColumns` (one of
/// `RealTransform.Kind`, FFTW's conventions) is applied to every column, `alongRows` to every row; the
/// two commute. FFTW computes it as one 2-D plan (FFTW_ESTIMATE, so every transformed bit is the same
/// in every run). With `rows` = 1 it is `alongRows` on one row.
///
/// Plans come from `FFTWPlanCache`; `apply` is thread-safe and allocates nothing. Cost
/// O(rows·columns·log(rows·columns)).
public struct GridRealTransform: Sendable {
    public let alongColumns: RealTransform.Kind
    public let alongRows: RealTransform.Kind
    public let rows: Int
    public let columns: Int
    @usableFromInline let inPlace: FFTWPlan
    @usableFromInline let outOfPlace: FFTWPlan

    /// Throws `InvalidArgument` for a size below a kind's minimum or rows × columns beyond Int32.
    public init(alongColumns: RealTransform.Kind, alongRows: RealTransform.Kind, rows: Int, columns: Int) throws {
        try Validate.atLeast(columns, alongRows.minimumCount, "columns")
        try Validate.atLeast(rows, rows == 1 ? 1 : alongColumns.minimumCount, "rows")
        let (total, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard !overflow, total <= Int(Int32.max) else {
            throw InvalidArgument("rows", rows, "rows × columns = \(rows) × \(columns) exceeds FFTW's size limit")
        }
        self.alongColumns = alongColumns
        self.alongRows = alongRows
        self.rows = rows
        self.columns = columns
        let transform: FFTWPlanCache.Transform = rows == 1
            ? .realToReal(alongRows) : .realToRealGrid(alongColumns: alongColumns, alongRows: alongRows, rows: rows)
        inPlace = FFTWPlanCache.plan(transform, count: columns, inPlace: true)
        outOfPlace = FFTWPlanCache.plan(transform, count: columns, inPlace: false)
    }

    /// The number of values transformed.
    public var count: Int { rows * columns }

    /// Transforms `count` values from `input` into `output`; the two may be the same array (in place) or
    /// disjoint, never partially overlapping. The input of an out-of-place call is not modified.
    @inlinable
    public func apply(_ input: UnsafePointer<Double>, _ output: UnsafeMutablePointer<Double>) {
        let source = UnsafeMutablePointer(mutating: input)
        fftw_execute_r2r(source == output ? inPlace.plan : outOfPlace.plan, source, output)
    }
}
