// swift-tools-version: 6.0
// Benchmark: one step of the Langevin flow of the training action (DeepestLearning) against one
// full-batch gradient of the same network, and against an SGLD step of the same ResNet in PyTorch.
// A nested package so the root manifest stays lean; run with `make bench-langevin` from the root.
import PackageDescription

let package = Package(
    name: "BenchLangevin",
    dependencies: [.package(name: "DeepestLearning", path: "../..")],
    targets: [
        .executableTarget(
            name: "BenchLangevin",
            dependencies: [.product(name: "DeepestLearning", package: "DeepestLearning"),
                           .product(name: "Stochastic", package: "DeepestLearning"),
                           .product(name: "NumericCore", package: "DeepestLearning")]),
    ]
)
