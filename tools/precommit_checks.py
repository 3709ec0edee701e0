"""The small checks of the pre-commit hook (.pre-commit-config.yaml), run from the venv.

For each file given: strip trailing whitespace and end a text file with exactly one
newline (fixing the file, as pre-commit-hooks' fixers do), check that a YAML
file parses, and refuse files over 2000 KB. Exits 1 when it fixed or found anything.
"""

import sys
from pathlib import Path

import yaml

MAX_KB = 2000


class _Loader(yaml.SafeLoader):
    """mkdocs.yml uses ``!!python/name:`` tags: accept any tag (check-yaml --unsafe)."""


_Loader.add_multi_constructor("", lambda loader, suffix, node: None)


def check(path: Path) -> list[str]:
    found = []
    if path.stat().st_size > MAX_KB * 1024:
        return [f"{path}: larger than {MAX_KB} KB"]
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        return []  # binary
    text = data.decode("utf-8", errors="surrogateescape")
    fixed = "\n".join(line.rstrip() for line in text.split("\n")).rstrip("\n")
    fixed = fixed + "\n" if fixed else ""
    if fixed != text:
        path.write_bytes(fixed.encode("utf-8", errors="surrogateescape"))
        found.append(f"{path}: trailing whitespace or final newline fixed")
    if path.suffix in {".yml", ".yaml"}:
        try:
            yaml.load(fixed, Loader=_Loader)
        except yaml.YAMLError as error:
            found.append(f"{path}: not valid YAML: {error}")
    return found


def main(paths: list[str]) -> int:
    found = [p for name in paths for p in check(Path(name))]
    print("\n".join(found)) if found else None
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
