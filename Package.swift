// swift-tools-version: 6.0
// DeepestLearning: continuous-depth networks trained by solving the boundary value problem of their
// training action, with stochastic (SPDE) saddle escape and convergence-order studies.
// Layers (a lower layer never imports a higher one): C (CGSL, CFFTW) -> NumericCore ->
// BoundaryValue, Stochastic -> DeepestLearning -> deepest (command line). See README.md.
import PackageDescription

let package = Package(
    name: "DeepestLearning",
    products: [
        .library(name: "NumericCore", targets: ["NumericCore"]),
        .library(name: "BoundaryValue", targets: ["BoundaryValue"]),
        .library(name: "Stochastic", targets: ["Stochastic"]),
        .library(name: "DeepestLearning", targets: ["DeepestLearning"]),
        .executable(name: "deepest", targets: ["deepest"]),
    ],
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
        .executableTarget(
            name: "deepest",
            dependencies: [
                "NumericCore", "BoundaryValue", "Stochastic", "DeepestLearning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ],
            resources: [.copy("Resources/compare_report.py"), .copy("Resources/spde_figures.py"), .copy("Resources/escape_figures.py"), .copy("Resources/study_figures.py")]),
        .testTarget(name: "NumericCoreTests", dependencies: ["NumericCore"]),
        .testTarget(name: "BoundaryValueTests", dependencies: ["BoundaryValue", "NumericCore"]),
        .testTarget(name: "StochasticTests", dependencies: ["Stochastic", "NumericCore"]),
        .testTarget(name: "DeepestLearningTests", dependencies: ["DeepestLearning", "BoundaryValue", "NumericCore"]),
    ]
)
