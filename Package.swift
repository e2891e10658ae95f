// swift-tools-version: 6.0
// DeepestLearning: continuous-depth networks trained by solving the boundary value problem of their
// training action, with stochastic (SPDE) saddle escape and convergence-order studies.
// Layers (a lower layer never imports a higher one): C (CGSL, CFFTW) -> NumericCore ->
// BoundaryValue, Stochastic -> DeepestLearning -> DeepestCommands -> deepest, deepest-mpi (command line). See README.md.
import Foundation
import PackageDescription

// `deepest-mpi` (the commands split over Open MPI ranks, README "MPI") needs Open MPI's headers and
// libraries (Debian: libopenmpi-dev, which scripts/install-deps.sh installs). It is built unless the
// environment sets DEEPEST_MPI=0: `DEEPEST_MPI=0 swift build` builds everything else on a machine without
// MPI. Only the CMPI, MPIProcessGroup and deepest-mpi targets see MPI.
let withMPI = ProcessInfo.processInfo.environment["DEEPEST_MPI"] != "0"

let package = Package(
    name: "DeepestLearning",
    products: [
        .library(name: "NumericCore", targets: ["NumericCore"]),
        .library(name: "BoundaryValue", targets: ["BoundaryValue"]),
        .library(name: "Stochastic", targets: ["Stochastic"]),
        .library(name: "DeepestLearning", targets: ["DeepestLearning"]),
        .executable(name: "deepest", targets: ["deepest"]),
    ] + (withMPI ? [.executable(name: "deepest-mpi", targets: ["deepest-mpi"])] : []),
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        // `make docs`: the DocC catalogues of the four libraries (Sources/<Module>/<Module>.docc).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CGSL", path: "Sources/CGSL"),
        .systemLibrary(name: "CFFTW", path: "Sources/CFFTW"),
        .target(name: "NumericCore", dependencies: ["CGSL", "CFFTW"]),
        .target(name: "BoundaryValue", dependencies: ["NumericCore"]),
        .target(name: "Stochastic", dependencies: ["NumericCore"]),
        .target(name: "DeepestLearning", dependencies: ["NumericCore", "BoundaryValue", "Stochastic"]),
        // The commands of the command line (parsing, validation, output), in Sources/deepest; the two tools
        // below are their `main` only: `deepest` in one process, `deepest-mpi` over the ranks of an MPI job.
        .target(
            name: "DeepestCommands",
            dependencies: [
                "NumericCore", "BoundaryValue", "Stochastic", "DeepestLearning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Sources/deepest",
            resources: [.copy("Resources/figure_files.py"), .copy("Resources/compare_report.py"), .copy("Resources/spde_figures.py"), .copy("Resources/escape_figures.py"), .copy("Resources/study_figures.py")]),
        .executableTarget(name: "deepest", dependencies: ["DeepestCommands"], path: "Sources/DeepestMain"),
    ] + (withMPI ? [
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi", providers: [.apt(["libopenmpi-dev"])]),
        .target(name: "MPIProcessGroup", dependencies: ["CMPI", "NumericCore"]),
        .executableTarget(name: "deepest-mpi", dependencies: ["DeepestCommands", "MPIProcessGroup", "NumericCore"],
                          path: "Sources/DeepestMPIMain"),
    ] as [Target] : []) + [
        .testTarget(name: "NumericCoreTests", dependencies: ["NumericCore"]),
        .testTarget(name: "BoundaryValueTests", dependencies: ["BoundaryValue", "NumericCore"]),
        .testTarget(name: "StochasticTests", dependencies: ["Stochastic", "NumericCore"]),
        .testTarget(name: "DeepestLearningTests", dependencies: ["DeepestLearning", "BoundaryValue", "NumericCore"]),
    ]
)
