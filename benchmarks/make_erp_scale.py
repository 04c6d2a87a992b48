"""Make a synthetic 1C:ERP-scale EDT project from a real one (the SSL corpus): copies under new names.

A full-size 1C:ERP has ≈88k files (≈24k modules, 1.34 GB of BSL; ≈21k .mdo; ≈10k forms). This
copies every top-level object of SOURCE (an EDT project) K times under renamed objects
(``<Name>_k<i>``: folder, file and ``<name>`` element renamed, the copy listed in
Configuration.mdo) until the project holds about ``--files`` files. ``--bsl-repeat N`` makes each
copied module N times longer (its methods repeated under new names), to reach ERP's volume of code
when the source's modules are smaller than ERP's.

    python benchmarks/make_erp_scale.py /path/to/ssl-edt /tmp/erp-scale --files 88000
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import sys
from pathlib import Path

DECLARATION = re.compile(
    r"^([ \t]*(?:Асинх\s+|Async\s+)?(?:Процедура|Функция|Procedure|Function)\s+)([\w]+)(\s*\()",
    re.IGNORECASE | re.MULTILINE,
)
NAME_ELEMENT = re.compile(r"(<name>)([^<]+)(</name>)")


def _count_files(root: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(root))


def _singular_entries(configuration: str) -> dict[tuple[str, str], str]:
    """(element, "Type.Name") pairs listed in Configuration.mdo, keyed by (folder-ish element, name)."""
    entries = {}
    for match in re.finditer(r"<(\w+)>(\w+)\.([^<.]+)</\1>", configuration):
        element, singular, name = match.groups()
        entries[(element, name)] = singular
    return entries


def _repeat_module(text: str, times: int, suffix: str) -> str:
    if times <= 1:
        return text
    parts = [text]
    for copy in range(2, times + 1):
        parts.append(
            DECLARATION.sub(lambda m, c=copy: f"{m.group(1)}{m.group(2)}{suffix}r{c}{m.group(3)}", text)
        )
    return "\n".join(parts)


def make(source: Path, out: Path, files: int, bsl_repeat: int) -> dict[str, int]:
    if out.exists():
        raise SystemExit(f"{out} exists; remove it first")
    shutil.copytree(source, out, symlinks=True)
    src = out / "src"
    per_copy = _count_files(source / "src") - _count_files(source / "src" / "Configuration")
    copies = max(0, math.ceil((files - _count_files(source)) / per_copy))
    configuration_path = src / "Configuration" / "Configuration.mdo"
    configuration = configuration_path.read_text(encoding="utf-8")
    listed = _singular_entries(configuration)
    additions: dict[str, list[str]] = {}
    type_folders = [p for p in sorted((source / "src").iterdir()) if p.is_dir() and p.name != "Configuration"]
    for copy in range(1, copies + 1):
        suffix = f"_k{copy}"
        for type_folder in type_folders:
            element = type_folder.name[0].lower() + type_folder.name[1:]
            for obj in sorted(p for p in type_folder.iterdir() if p.is_dir()):
                new_name = obj.name + suffix
                target = src / type_folder.name / new_name
                shutil.copytree(obj, target, symlinks=True)
                mdo = target / f"{obj.name}.mdo"
                if mdo.exists():
                    text = mdo.read_text(encoding="utf-8")
                    mdo.unlink()
                    (target / f"{new_name}.mdo").write_text(
                        NAME_ELEMENT.sub(lambda m, n=new_name: f"{m.group(1)}{n}{m.group(3)}", text, count=1),
                        encoding="utf-8",
                    )
                if bsl_repeat > 1:
                    for module in target.rglob("*.bsl"):
                        data = module.read_bytes()
                        if not data.startswith(b"\xff\xff\xff\x7f"):
                            module.write_text(
                                _repeat_module(data.decode("utf-8-sig"), bsl_repeat, suffix), encoding="utf-8"
                            )
                singular = listed.get((element, obj.name))
                if singular:  # nested subsystems are not listed in Configuration.mdo, only top level
                    additions.setdefault(element, []).append(f"<{element}>{singular}.{new_name}</{element}>")
    for element, lines in additions.items():
        last = list(re.finditer(rf"[ \t]*<{element}>[^<]*</{element}>\n", configuration))[-1]
        indent = re.match(r"[ \t]*", last.group(0)).group(0)
        configuration = (
            configuration[: last.end()]
            + "".join(f"{indent}{line}\n" for line in lines)
            + configuration[last.end() :]
        )
    configuration_path.write_text(configuration, encoding="utf-8")
    stats = {"copies": copies, "files": _count_files(out)}
    for ext in ("bsl", "mdo", "form"):
        sizes = [p.stat().st_size for p in src.rglob(f"*.{ext}")]
        stats[f"{ext}_files"] = len(sizes)
        stats[f"{ext}_mb"] = round(sum(sizes) / 1e6)
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "source", type=Path, help="an EDT project (folder with src/Configuration/Configuration.mdo)"
    )
    parser.add_argument("out", type=Path)
    parser.add_argument(
        "--files", type=int, default=88_000, help="about this many files in all (default 88000)"
    )
    parser.add_argument("--bsl-repeat", type=int, default=1, help="make copied modules N times longer")
    args = parser.parse_args(argv)
    if not (args.source / "src" / "Configuration" / "Configuration.mdo").is_file():
        print(f"{args.source}: not an EDT project (no src/Configuration/Configuration.mdo)", file=sys.stderr)
        return 2
    stats = make(args.source, args.out, args.files, args.bsl_repeat)
    print(" ".join(f"{k}={v}" for k, v in stats.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
