"""The Python examples of docs/python.md run as written on the bundled sample, one statement after another in one
namespace, as an analyst pastes them into a notebook; a statement whose comment says it raises DataError does."""

import ast
import re

import pytest

from cxlib.io import DataError


@pytest.mark.slow
def test_every_python_example_of_the_api_guide_runs_on_the_sample(project, monkeypatch):
    monkeypatch.chdir(project)
    text = (project / "docs" / "python.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 5
    namespace: dict = {}
    for block in blocks:
        for node in ast.parse(block).body:
            line = block.splitlines()[node.end_lineno - 1]
            code = compile(ast.Module([node], []), "docs/python.md", "exec")
            if "# DataError" in line:
                with pytest.raises(DataError):
                    exec(code, namespace)
            else:
                exec(code, namespace)
