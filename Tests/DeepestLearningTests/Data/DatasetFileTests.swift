import Foundation
import Testing
@testable import DeepestLearning
import NumericCore

@Suite struct DatasetFileTests {
    @Test func readsHeaderAndRows() throws {
        let t = try DatasetFile.table(text: "x1,x2,label\n0.5,1,0\n-2,3e-1,1\n", name: "t.csv")
        #expect(t.columns == 3 && t.rows == 2 && t.values == [0.5, 1, 0, -2, 0.3, 1])
        let d = try DatasetFile.classification(t, classes: 2, name: "t.csv")
        #expect(d.count == 2 && d.inputDimension == 2)
    }

    @Test func raggedRowNamesItsLine() {
        do {
            _ = try DatasetFile.table(text: "x,y\n1,2\n3,4\n5\n", name: "r.csv")
            Issue.record("no error")
        } catch {
            #expect("\(error)".contains("line 4"), "\(error)")
        }
    }

    @Test(arguments: ["nan", "NaN", "inf", "abc", ""])
    func nonFiniteFieldNamesItsLine(_ bad: String) {
        do {
            _ = try DatasetFile.table(text: "1,2\n3,\(bad)\n", name: "n.csv")
            Issue.record("no error for \(bad)")
        } catch {
            #expect("\(error)".contains("line 2"), "\(error)")
        }
    }

    /// The committed data sets have the sizes their READMEs state (spirals 513/513, circles 400/400,
    /// sine 100/100 with y = sin x, digits 1437/360 with pixels in [0, 1]).
    @Test func catalogMatchesProvenance() throws {
        let directory = dataDirectory
        let sizes: [DatasetCatalog: (Int, Int)] = [.spirals: (513, 513), .circles: (400, 400), .sine: (100, 100),
                                                   .digits: (1437, 360)]
        for (name, size) in sizes {
            let split = try name.load(from: directory)
            #expect(split.train.count == size.0 && split.test.count == size.1, "\(name)")
        }
        let sine = try DatasetCatalog.sine.load(from: directory).train
        if case .values(let y, _) = sine.targets {
            for k in 0..<sine.count { #expect(abs(y[k] - sin(sine.inputs[k])) < 1e-15) }
        }
        let digits = try DatasetCatalog.digits.load(from: directory).test
        #expect(digits.inputDimension == 64 && digits.inputs.allSatisfy { (0...1).contains($0) })
        let spirals = try DatasetCatalog.spirals.load(from: directory).train
        #expect(abs(spirals.inputs[0]) == 0 && abs(spirals.inputs[1]) == 0)
    }

    /// CRLF, LF and CR line ends give the same table (a CRLF pair is one Swift Character).
    @Test func lineEndsAreEquivalent() throws {
        let rows = ["x,y,label", "0.5,1.5,0", "-1,2,1", "3,4e-1,1"]
        let tables = try ["\n", "\r\n", "\r"].map { try DatasetFile.table(text: rows.joined(separator: $0) + $0, name: "t") }
        for table in tables {
            #expect(table.columns == 3 && table.rows == 3 && table.values == [0.5, 1.5, 0, -1, 2, 1, 3, 0.4, 1])
        }
    }

    /// The user's own data: the target column anywhere, the task detected from the targets, a seeded
    /// split that partitions the rows (every row lands in exactly one set, the same split for the same
    /// seed), a single class refused.
    @Test func userDatasetSplitsAndDetectsTheTask() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("user-data-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("d.csv")
        var text = "label,a,b\r\n"
        for k in 0..<50 { text += "\(k % 3),\(Double(k) / 7),\(Double(k * k) / 100)\r\n" }
        try text.write(to: file, atomically: true, encoding: .utf8)
        let user = UserDataset(trainPath: file.path, testFraction: 0.2, targetColumn: 1, seed: 5)
        let split = try user.load()
        #expect(split.train.count == 40 && split.test.count == 10 && split.train.inputDimension == 2)
        guard case .classes(let labels, let classes) = split.train.targets else { Issue.record("not classification"); return }
        #expect(classes == 3 && labels.allSatisfy { (0..<3).contains($0) })
        // Every row once: the first input column k/7 identifies row k.
        let firsts = (split.train.inputs + split.test.inputs).enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        #expect(Set(firsts.map { Int(($0 * 7).rounded()) }) == Set(0..<50))
        #expect(try user.load().test.inputs == split.test.inputs)
        var regression = user
        regression.task = .regression
        guard case .values = try regression.load().train.targets else { Issue.record("not regression"); return }
        try "a,label\n1,0\n2,0\n3,0\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: InvalidArgument.self) { try UserDataset(trainPath: file.path, task: .classification).load() }
    }
}
