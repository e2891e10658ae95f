// swift-tools-version: 6.0
// A convergence study of a user-defined SDE through the library's public API (ConvergenceStudy):
// a nested package so the root manifest stays lean. Run: swift run -c release (in this folder).
import Foundation
import PackageDescription

// The root package's identity is its directory name (e.g. a clone or worktree folder), so derive it.
let rootIdentity = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "convergence-study",
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(
            name: "convergence-study",
            dependencies: [
                .product(name: "NumericCore", package: rootIdentity),
                .product(name: "Stochastic", package: rootIdentity),
            ]),
    ]
)
