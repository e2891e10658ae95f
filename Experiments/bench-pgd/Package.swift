// swift-tools-version: 6.0
// Benchmark: PGD (l-inf, 100 steps) on the digits test set in Swift (input gradients from the costates)
// against the same attack in PyTorch on the CPU, same network and weights (model.json). A nested
// package so the root manifest stays lean; run with `make bench-pgd` from the root.
import PackageDescription

let package = Package(
    name: "BenchPGD",
    dependencies: [.package(name: "DeepestLearning", path: "../..")],
    targets: [
        .executableTarget(
            name: "BenchPGD",
            dependencies: [.product(name: "DeepestLearning", package: "DeepestLearning"),
                           .product(name: "NumericCore", package: "DeepestLearning")]),
    ]
)
