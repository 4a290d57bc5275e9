"""Every Python example of the documentation (README.md, then docs/*.md but ci.md) runs as pasted: written
to a file of its own and run by this interpreter against the strict-mode emulator, whose address
replaces 127.0.0.1:9336. A `print(…)  # text` line asserts that the example prints that text."""
import re
import subprocess
import sys

from emulator import ROOT


def examples(fence):
    """(where, code) of each block behind the fence: README.md, then docs/*.md."""
    found = []
    # docs/ci.md's programs start the emulator in Docker (Testcontainers): test/recipes/run checks them.
    for document in [ROOT / "README.md", *sorted(d for d in (ROOT / "docs").glob("*.md") if d.name != "ci.md")]:
        lines, i = document.read_text().split("\n"), 0
        while i < len(lines):
            if lines[i] == fence:
                end = lines.index("```", i + 1)
                found.append((f"{document.relative_to(ROOT)} line {i + 1}", "\n".join(lines[i + 1:end])))
                i = end
            i += 1
    return found


def test_every_python_example_of_the_documentation_runs_as_pasted(strict, tmp_path):
    found = examples("```python")
    assert len(found) >= 2, "the README and docs/sdks.md have Python examples"
    for n, (where, code) in enumerate(found):
        strict.reset()
        program = tmp_path / f"example_{n}.py"
        program.write_text(code.replace("http://127.0.0.1:9336", strict.url))
        run = subprocess.run([sys.executable, str(program)], capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, f"{where}:\n{run.stdout}\n{run.stderr}"
        printed = [m.group(1).strip() for m in re.finditer(r"^\s*print\(.*\)\s+# (.+)$", code, re.M)]
        assert run.stdout.strip().split("\n") == printed, f"{where} prints what its comments say"
