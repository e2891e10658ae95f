import Foundation
import Testing
@testable import DeepestLearning

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
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Experiments/data")
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
}
