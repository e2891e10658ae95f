/// The form in which the stationarity conditions of the action are posed as a boundary value problem:
/// Hamiltonian (x_k, p_k, θ, π) or Lagrangian (x_k, ẋ_k, θ, θ') (Notes/deepest-learning-action.md §3).
public enum BoundaryValueForm: String, CaseIterable, Sendable, Codable {
    case hamiltonian, lagrangian
}
