import BoundaryValue
import Dispatch
import NumericCore

extension StructuredCollocation {
    /// Newton on `initialMesh` from `initialValues`, then (with `adaptive`) the residual control of
    /// `Collocation` (Notes/mesh-refinement.md, Notes/structured-collocation.md §7): measure every
    /// interval's residual of the cubic output (and for the trapezoid rule the deferred-correction
    /// error estimate), stop when all are below tol/2, else rebuild the mesh by
    /// `ResidualControl.adaptedMesh` and rerun Newton from the previous solution's cubic output on the
    /// new nodes. Each mesh gets its own `StructuredCollocationSolver` (workspaces sized once per mesh,
    /// nothing allocated inside its Newton iterations). Stats are summed over the meshes.
    /// A pass whose Newton (or residual) fails never discards a converged solution: after an optional
    /// coarsening (or any later pass) that follows a solution meeting tol/2, that solution is returned
    /// with `success`; after a failed refinement pass, the last converged solution is returned with
    /// the failure status and a message naming the mesh that failed.
    func refine<Form: StructuredSampleForm>(_ problem: ContinuousTrainingProblem<Form.Field>, sampleForm: Form,
                                            form: TrainingBoundaryValueProblem, mesh initialMesh: [Double],
                                            values initialValues: [Double]) -> BoundaryValueSolution {
        let started = DispatchTime.now().uptimeNanoseconds
        let n = form.layout.dimension, target = ResidualControl.target(tolerance: tolerance)
        var mesh = initialMesh, values = initialValues
        var total = BoundaryValueStats()
        var passes = 0
        // The last converged pass, and the last one whose residual met tol/2 (a later optional
        // coarsening pass must not turn it into a failure).
        var lastConverged: Kept?, accepted: Kept?
        while true {
            let solver = StructuredCollocationSolver(problem: problem, sampleForm: sampleForm, form: form, mesh: mesh, options: self)
            var status = solver.run(values: values)
            let (nodeValues, slopes) = solver.nodeValuesAndSlopes()
            var maxResidual = Double.infinity
            var message = Self.explain(status, nodes: mesh.count, iterations: maxNewtonIterations, adaptive: adaptive)
            var next: [Double]?, metTarget = false
            if status == .success {
                let residuals = solver.intervalResiduals(values: nodeValues, slopes: slopes)
                maxResidual = residuals.reduce(0.0) { $0.isNaN || $1.isNaN ? .nan : max($0, $1) }
                if !maxResidual.isFinite {
                    status = .nonFinite
                    message = "the residual of the solution is not finite: the field returned NaN or infinity"
                } else if adaptive {
                    // Trapezoid: the deferred-correction error estimate must meet tol/2 as well; when it
                    // is the binding criterion the residual target is scaled by the ratio of the two
                    // excesses (both scale like h²), also when coarsening (as in `Collocation`).
                    var errorEstimate = 0.0, targetScale = 1.0
                    if scheme == .trapezoid {
                        errorEstimate = solver.trapezoidErrorEstimate()
                        let errorExcess = errorEstimate / target, residualExcess = maxResidual / target
                        if errorExcess > residualExcess { targetScale = max(residualExcess, 1e-6) / errorExcess }
                    }
                    let needsRefinement = maxResidual > target || errorEstimate > target
                    metTarget = !needsRefinement
                    if !errorEstimate.isFinite {
                        status = .nonFinite
                        message = "the error estimate is not finite: the field returned NaN or infinity"
                    } else if passes >= maxMeshRefinements {
                        if needsRefinement {
                            status = .meshLimit
                            message = "residual \(maxResidual) (error estimate \(errorEstimate)) still above tolerance/2 after \(passes) mesh refinements on \(mesh.count) nodes"
                        }
                    } else if let newMesh = residuals.withUnsafeBufferPointer({
                        ResidualControl.adaptedMesh(mesh, residuals: $0.baseAddress!, target: target * targetScale,
                                                    order: scheme.residualOrder, firstPass: passes == 0,
                                                    allowRefinement: needsRefinement, maxNodes: maxNodes)
                    }), needsRefinement || ResidualControl.coarseningPays(from: mesh.count, to: newMesh.count) {
                        if newMesh.count > maxNodes {
                            status = .meshLimit
                            message = "mesh refinement needs \(newMesh.count) nodes, more than maxNodes = \(maxNodes) (residual \(maxResidual) on \(mesh.count) nodes); raise maxNodes or the tolerance"
                        } else {
                            next = newMesh
                        }
                    }
                }
            }
            total.newtonIterations += solver.stats.newtonIterations
            total.fieldEvaluations += solver.stats.fieldEvaluations
            total.jacobianEvaluations += solver.stats.jacobianEvaluations
            total.factorizations += solver.stats.factorizations
            if let newMesh = next {
                let kept = Kept(mesh: mesh, values: nodeValues, slopes: slopes, maxResidual: maxResidual,
                                boundaryResidual: solver.boundaryResidual(values: nodeValues))
                lastConverged = kept
                if metTarget { accepted = kept }
                values = Self.interpolate(mesh: mesh, values: nodeValues, slopes: slopes, dimension: n, onto: newMesh)
                mesh = newMesh
                passes += 1
                continue
            }
            total.meshRefinements = passes
            total.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) * 1e-9
            if status != .success {
                let failure = "\(message) (pass \(passes), \(mesh.count) nodes)"
                if let kept = accepted {
                    // The optional pass after a solution meeting tol/2 failed: that solution stands.
                    return kept.solution(dimension: n, status: .success, stats: total, message:
                        "converged with the residual below tolerance/2 on \(kept.mesh.count) nodes; the later mesh pass was dropped: \(failure)")
                }
                if status != .meshLimit, let kept = lastConverged {
                    return kept.solution(dimension: n, status: status, stats: total, message:
                        "\(failure) after mesh refinement; the solution is the last converged one, on \(kept.mesh.count) nodes with residual \(kept.maxResidual) above tolerance/2")
                }
            }
            total.nodes = mesh.count
            return BoundaryValueSolution(assembledOn: mesh, values: nodeValues, slopes: slopes, dimension: n, status: status,
                                         message: message, stats: total, maxResidual: maxResidual,
                                         boundaryResidual: solver.boundaryResidual(values: nodeValues))
        }
    }

    /// A converged pass's solution, kept while a later pass runs.
    struct Kept {
        let mesh: [Double], values: [Double], slopes: [Double], maxResidual: Double, boundaryResidual: Double

        func solution(dimension n: Int, status: BoundaryValueStatus, stats: BoundaryValueStats, message: String) -> BoundaryValueSolution {
            var stats = stats
            stats.nodes = mesh.count
            return BoundaryValueSolution(assembledOn: mesh, values: values, slopes: slopes, dimension: n, status: status,
                                         message: message, stats: stats, maxResidual: maxResidual,
                                         boundaryResidual: boundaryResidual)
        }
    }

    /// The C¹ cubic Hermite output of (values, slopes) on `mesh` sampled at the nodes of `newMesh`.
    static func interpolate(mesh: [Double], values: [Double], slopes: [Double], dimension n: Int,
                            onto newMesh: [Double]) -> [Double] {
        let old = BoundaryValueSolution(assembledOn: mesh, values: values, slopes: slopes, dimension: n, status: .success,
                                        message: "", stats: BoundaryValueStats(), maxResidual: 0, boundaryResidual: 0)
        var result = [Double]()
        result.reserveCapacity(newMesh.count * n)
        for t in newMesh { result += old.value(at: t) }
        return result
    }

    static func explain(_ status: BoundaryValueStatus, nodes: Int, iterations: Int, adaptive: Bool) -> String {
        switch status {
        case .success: return adaptive ? "converged with the residual below tolerance/2 on \(nodes) nodes" : "converged on a fixed mesh of \(nodes) nodes"
        case .maxIterations: return "Newton did not converge in \(iterations) iterations on \(nodes) nodes: try a better guess or continuation"
        case .noConvergence: return "damped Newton could not reduce the correction on \(nodes) nodes: no solution near the guess (try continuation)"
        case .singularJacobian: return "a sample block or the weight Schur complement is singular: the solution is not isolated"
        case .meshLimit: return "mesh limit reached"
        case .nonFinite: return "the field or the boundary conditions produced NaN or infinity"
        }
    }
}
