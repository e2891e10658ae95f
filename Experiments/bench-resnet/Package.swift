// swift-tools-version: 6.0
// Benchmark: one epoch of the Swift ResNet baseline (minibatch SGD with momentum) against PyTorch.
// A nested package so the root manifest stays lean; run with `make bench-resnet` from the root.
import PackageDescription

let package = Package(
    name: "BenchResNet",
    dependencies: [.package(name: "DeepestLearning", path: "../..")],
    targets: [
        .executableTarget(
            name: "BenchResNet",
            dependencies: [.product(name: "DeepestLearning", package: "DeepestLearning"),
                           .product(name: "NumericCore", package: "DeepestLearning")]),
        .executableTarget(
            name: "BenchSchur",
            dependencies: [.product(name: "DeepestLearning", package: "DeepestLearning"),
                           .product(name: "NumericCore", package: "DeepestLearning")]),
        .executableTarget(
            name: "BenchCollocation",
            dependencies: [.product(name: "DeepestLearning", package: "DeepestLearning"),
                           .product(name: "BoundaryValue", package: "DeepestLearning"),
                           .product(name: "NumericCore", package: "DeepestLearning")]),
    ]
)
