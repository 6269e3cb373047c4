"""Fuzz the workbook parser: mutated demo reports fed to ``Tidier.tidy(name, bytes)`` for a bounded time.

    .venv/bin/python bench/fuzz.py [--seconds 60] [--seed 1] [--workspace DIR] [--crashes DIR]

Every input must end in a FileResult (readable, or unreadable with a clean issue such as ``berkas_tidak_terbaca``):
any other exception, or one input taking longer than ``--hang`` seconds, is a failure, saved to ``--crashes`` for
replay. Mutations (``mutate``): byte flips, truncation, random bytes spliced in, a chunk duplicated, and for zip
formats an edit of one member (its XML bytes flipped, cut, or its cell texts replaced by values from a hostile
alphabet: formulas, HTML, control characters, huge numbers, RTL marks) re-zipped. Prints executions, exec/s (and the
ratio against the unmutated corpus, the baseline of the same run), distinct outcomes and failures. Figures go to
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import re
import sys
import tempfile
import time
import traceback
import zipfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

HOSTILE_TEXT = [
    '=HYPERLINK("http://x","a")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(1)", "<script>alert(1)</script>",
    "\u202e", "\x00", "\x1b[31m", "9" * 400, "-1e308", "NaN", "1,5", "1.234.567", "Jan-25", "TOTAL", "Luar Wilayah",
    "\ufeff", "&amp;", "]]>", "A" * 5000, "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\r\n", "desa;kelurahan", "0x1F", "", " ",
]  # fmt: skip
_TEXT_IN_XML = re.compile(rb"(<(?:t|v)(?:\s[^>]*)?>)([^<]{0,200})(</(?:t|v)>)")


def _xml_escape(text: str) -> bytes:
    cleaned = "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)
    return cleaned.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode("utf-8")


def _flip(data: bytes, rnd: random.Random, n: int) -> bytes:
    if not data:
        return data
    buf = bytearray(data)
    for _ in range(n):
        buf[rnd.randrange(len(buf))] = rnd.randrange(256)
    return bytes(buf)


def _edit_member(data: bytes, rnd: random.Random) -> bytes:
    """One member of a zip (a sheet, shared strings, the workbook...) changed, the rest copied, re-zipped."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as src:
            members = [(info, src.read(info.filename)) for info in src.infolist()]
    except Exception:
        return _flip(data, rnd, 8)
    if not members:
        return data
    xml_members = [i for i, (info, _) in enumerate(members) if info.filename.endswith(".xml")] or [0]
    index = rnd.choice(xml_members)
    info, body = members[index]
    how = rnd.randrange(5)
    if how == 0:
        body = _flip(body, rnd, rnd.randint(1, 20))
    elif how == 1:
        body = body[: rnd.randrange(len(body) + 1)]
    else:
        # cell texts and values replaced by hostile ones (XML kept well-formed)
        def swap(match: re.Match[bytes]) -> bytes:
            if rnd.random() < 0.3:
                return match.group(1) + _xml_escape(rnd.choice(HOSTILE_TEXT)) + match.group(3)
            return match.group(0)

        body = _TEXT_IN_XML.sub(swap, body)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for i, (member, content) in enumerate(members):
            dst.writestr(member.filename, body if i == index else content)
    return out.getvalue()


def mutate(data: bytes, rnd: random.Random) -> bytes:
    """One random mutation of ``data`` (see the module docstring)."""
    if data.startswith(b"PK") and rnd.random() < 0.5:  # zips: half the time a member edit, to get past the reader
        return _edit_member(data, rnd)
    how = rnd.randrange(6 if data.startswith(b"PK") else 5)
    if how == 0:
        return _flip(data, rnd, rnd.randint(1, 32))
    if how == 1:
        return data[: rnd.randrange(len(data) + 1)]
    if how == 2:
        at = rnd.randrange(len(data) + 1)
        return data[:at] + rnd.randbytes(rnd.randint(1, 256)) + data[at:]
    if how == 3:
        if len(data) < 2:
            return data + data
        a = rnd.randrange(len(data))
        b = min(len(data), a + rnd.randint(1, 4096))
        return data[:b] + data[a:b] * rnd.randint(1, 8) + data[b:]
    if how == 4:  # text formats: hostile values spliced at a line start
        lines = data.split(b"\n")
        at = rnd.randrange(len(lines))
        lines[at] = rnd.choice(HOSTILE_TEXT).encode("utf-8", "replace") + b";" + lines[at]
        return b"\n".join(lines)
    return _edit_member(data, rnd)


def outcome(result: object) -> str:
    """A short name for what an input turned into: ``ok``, ``ok-empty`` or the first error code."""
    issues = getattr(result, "issues", [])
    errors = [i.code for i in issues if i.severity == "error"]
    if not getattr(result, "readable", True):
        return f"unreadable:{errors[0] if errors else '?'}"
    return "ok" if not result.rows.empty else f"ok-empty:{errors[0] if errors else 'no-values'}"


def corpus(root: Path, limit: int = 40) -> list[tuple[str, bytes]]:
    from pws.etl import input_files

    files = input_files([root / "laporan"])
    by_suffix: dict[str, list[Path]] = {}
    for f in files:
        by_suffix.setdefault(f.suffix.lower(), []).append(f)
    chosen: list[Path] = []
    while len(chosen) < limit and any(by_suffix.values()):  # every format, round robin
        for suffix in sorted(by_suffix):
            if by_suffix[suffix] and len(chosen) < limit:
                chosen.append(by_suffix[suffix].pop(0))
    return [(p.name, p.read_bytes()) for p in chosen]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workspace", type=Path, help="a demo workspace (default: generate one in a temp folder)")
    parser.add_argument("--crashes", type=Path, default=Path(tempfile.gettempdir()) / "pws-fuzz-crashes")
    parser.add_argument("--hang", type=float, default=10.0, help="seconds after which one input counts as a hang")
    args = parser.parse_args(argv)

    from pws.config import Workspace
    from pws.etl import Tidier
    from pws.workspace import load_workspace

    if args.workspace is None:
        from pws.demo import generate

        args.workspace = Path(tempfile.mkdtemp(prefix="pws-fuzz-")) / "ws"
        print(f"generating the demo in {args.workspace} ...", flush=True)
        generate(args.workspace)
    data = load_workspace(Workspace(args.workspace))
    tidier = Tidier(data.wilayah, data.catalogue)
    seeds = corpus(args.workspace)
    print(f"corpus: {len(seeds)} reports ({', '.join(sorted({Path(n).suffix for n, _ in seeds}))})", flush=True)

    # baseline: the unmutated corpus, same Tidier
    start = time.perf_counter()
    for name, raw in seeds:
        tidier.tidy(Path(name), raw)
    base_rate = len(seeds) / (time.perf_counter() - start)

    rnd = random.Random(args.seed)
    outcomes: Counter[str] = Counter()
    failures: list[tuple[str, str]] = []
    slowest = 0.0
    n = 0
    deadline = time.monotonic() + args.seconds
    start = time.perf_counter()
    while time.monotonic() < deadline:
        name, raw = rnd.choice(seeds)
        mutated = mutate(raw, rnd)
        if rnd.random() < 0.2:
            mutated = mutate(mutated, rnd)
        t0 = time.perf_counter()
        try:
            result = tidier.tidy(Path(name), mutated)
            kind = outcome(result)
        except Exception as exc:  # anything but a FileResult is a failure: keep the input
            kind = f"CRASH:{type(exc).__name__}"
            failures.append((_save(args.crashes, name, mutated), traceback.format_exc(limit=3)))
        elapsed = time.perf_counter() - t0
        slowest = max(slowest, elapsed)
        if elapsed > args.hang:
            failures.append((_save(args.crashes, name, mutated), f"hang: {elapsed:.1f} s"))
        outcomes[kind] += 1
        n += 1
    total = time.perf_counter() - start
    rate = n / total
    print(f"executions: {n} in {total:.1f} s, {rate:.1f} exec/s (unmutated baseline {base_rate:.1f}/s, "
          f"ratio {rate / base_rate:.2f}); slowest input {slowest * 1000:.0f} ms")  # fmt: skip
    print(f"distinct outcomes: {len(outcomes)}")
    for kind, count in outcomes.most_common():
        print(f"  {count:6d}  {kind}")
    print(f"failures: {len(failures)}")
    for path, detail in failures[:20]:
        print(f"  {path}\n    {detail.strip().splitlines()[-1]}")
    return 1 if failures else 0


def _save(folder: Path, name: str, data: bytes) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{hashlib.sha256(data).hexdigest()[:16]}{Path(name).suffix}"
    path.write_bytes(data)
    return str(path)


if __name__ == "__main__":
    sys.exit(main())
