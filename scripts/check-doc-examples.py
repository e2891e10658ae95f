#!/usr/bin/env python3
"""Every code line of the DocC articles' Swift examples is run by a test.

The examples of Sources/<Module>/<Module>.docc/*.md are run, with assertions against closed forms,
by Tests/<Module>Tests/GettingStartedExampleTests.swift. This check keeps the two from drifting: each
line of a ```swift block (its code before any `//` comment, stripped) must occur as a line of that test
file, except `import` lines and the lines that only show output (`print(...)`, `assert(...)`, which the
test replaces by #expect). Exit status 1 names each missing line.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SKIP = re.compile(r"^(@preconcurrency )?import |^print\(|^assert\(")


def code(line: str) -> str:
    return line.split("//", 1)[0].strip()


def main() -> int:
    missing = []
    catalogues = sorted(ROOT.glob("Sources/*/*.docc"))
    for catalogue in catalogues:
        module = catalogue.stem
        test = ROOT / "Tests" / f"{module}Tests" / "GettingStartedExampleTests.swift"
        tested = {code(line) for line in test.read_text().splitlines()} if test.exists() else set()
        for article in sorted(catalogue.glob("*.md")):
            blocks = re.findall(r"^```swift\n(.*?)^```", article.read_text(), re.S | re.M)
            for block in blocks:
                for line in block.splitlines():
                    text = code(line)
                    if text and not SKIP.match(text) and text not in tested:
                        missing.append(f"{article.relative_to(ROOT)}: `{text}` is not in {test.relative_to(ROOT)}")
    for line in missing:
        print(line, file=sys.stderr)
    if not catalogues:
        print("no DocC catalogues found", file=sys.stderr)
        return 1
    print(f"doc examples: {len(catalogues)} catalogues checked, {len(missing)} lines missing from their tests")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
