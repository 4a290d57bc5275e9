"""The README's Python example runs as pasted: written to a file of its own and run by this
interpreter against the strict-mode emulator, whose address replaces 127.0.0.1:9336. A
`print(…)  # text` line asserts that the example prints that text."""
import re
import subprocess
import sys

from emulator import ROOT


def examples(fence):
    lines = (ROOT / "README.md").read_text().split("\n")
    found, i = [], 0
    while i < len(lines):
        if lines[i] == fence:
            end = lines.index("```", i + 1)
            found.append((i + 1, "\n".join(lines[i + 1:end])))
            i = end
        i += 1
    return found


def test_every_python_example_in_the_readme_runs_as_pasted(strict, tmp_path):
    found = examples("```python")
    assert found, "the README has a Python example"
    for line, code in found:
        strict.reset()
        program = tmp_path / f"line_{line}.py"
        program.write_text(code.replace("http://127.0.0.1:9336", strict.url))
        run = subprocess.run([sys.executable, str(program)], capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, f"README.md line {line}:\n{run.stdout}\n{run.stderr}"
        printed = [m.group(1).strip() for m in re.finditer(r"^\s*print\(.*\)\s+# (.+)$", code, re.M)]
        assert run.stdout.strip().split("\n") == printed, f"README.md line {line} prints what its comments say"
