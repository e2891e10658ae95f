import Testing
import BoundaryValue

/// `import BoundaryValue` alone gives a library user the error type its entry points throw.
@Suite struct ModuleExportTests {
    @Test func invalidArgumentIsUsableFromBoundaryValueAlone() {
        do {
            _ = try BoundaryValueProblem(dimension: 0, start: 0, end: 1, field: { _, _, _ in },
                                         boundaryConditions: .separated(startCount: 0, start: { _, _ in }, end: { _, _ in }))
            Issue.record("dimension 0 accepted")
        } catch let error as InvalidArgument {
            #expect(error.argument == "dimension" && error.value == "0")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
