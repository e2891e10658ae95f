// swift-tools-version: 6.0
// Benchmark of the stochastic engine (make bench-sde): a nested package so the root manifest stays lean.
import Foundation
import PackageDescription

// The root package's identity is its directory name (e.g. a clone or worktree folder), so derive it.
let rootIdentity = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "bench-sde",
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(
            name: "bench-sde",
            dependencies: [
                .product(name: "NumericCore", package: rootIdentity),
                .product(name: "Stochastic", package: rootIdentity),
            ]),
    ]
)
