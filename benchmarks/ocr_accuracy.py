"""OCR accuracy on scans of every answer key: render, degrade, parse, and score with score_truth.py.

Every key there is (the five seeds in ``tests/truth`` and the real reports' keys in
``../shared/real/truth``) is laid out as a report, converted HTML -> LibreOffice -> PDF,
rasterised (``pdftoppm -r 150``) and degraded as a scanner does (rotation within +-1 deg, blur,
speckle, JPEG) into an image-only PDF (``tests/data/scans/make_scans.py --all``). Each scan is
then read once in this process (the OCR model loads once; the documents read are cached, so a
parse-only change is measured again in seconds with ``--reuse``) and the reports are scored by
``../shared/tools/score_truth.py --truth SCANS/truth --inputs SCANS``, which prints its usual
per-file lines and summary.

Usage::

    python benchmarks/ocr_accuracy.py --seed 100 --scans /tmp/scans-100   # render (if missing), OCR, score
    python benchmarks/ocr_accuracy.py --seed 100 --scans /tmp/scans-100 --reuse  # parse cached reads again
    python benchmarks/ocr_accuracy.py --scans /tmp/scans-100 --only pingtan   # files whose name has it

The seed decides the degradation (each key gets ``seed + its index``): develop on one seed and
check on another, so the fixes are not fitted to one scan's noise.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCORER = ROOT.parent / "shared" / "tools" / "score_truth.py"
sys.path.insert(0, str(ROOT / "tests" / "data" / "scans"))


def make(scans: Path, seed: int, strength: float) -> None:
    """Render and degrade every key into ``scans`` (skipped when its truth folder is there)."""
    if (scans / "truth").is_dir() and any((scans / "truth").glob("*.json")):
        return
    from make_scans import make_all

    make_all(scans, strength, seed)


class CachingEngine:
    """The OCR engine with its detections and recognitions kept on disk, keyed by the image's bytes.

    For developing the reader's geometry and cell logic: a change that leaves a page's image and
    crops as they were costs no OCR the next run; crops that changed are recognised again.
    """

    def __init__(self, folder: Path):
        from govreports.read.ocr import engine

        self.engine, self.folder = engine(), folder
        self.versions = {kind: _engine_version(kind) for kind in ("detect", "rec")}
        folder.mkdir(parents=True, exist_ok=True)

    def _path(self, kind: str, image) -> Path:
        import hashlib

        version = self.versions["detect" if kind.startswith("detect") else "rec"]
        key = hashlib.sha1(image.tobytes() + str(image.shape).encode() + version.encode()).hexdigest()
        return self.folder / f"{kind}-{key}.pickle"

    def detect(self, gray):
        """Detect as the engine does (cached)."""
        path = self._path("detect" + os.environ.get("GOVREPORTS_OCR_DETECT_SCALE", ""), gray)
        if not path.exists():
            path.write_bytes(pickle.dumps(self.engine.detect(gray)))
        return pickle.loads(path.read_bytes())

    def recognise(self, crops: list) -> list:
        """Recognise as the engine does (each crop cached)."""
        paths = [self._path("rec", crop) for crop in crops]
        todo = [i for i, path in enumerate(paths) if not path.exists()]
        for index, reading in zip(todo, self.engine.recognise([crops[i] for i in todo]) if todo else []):
            paths[index].write_bytes(pickle.dumps(reading))
        return [pickle.loads(path.read_bytes()) for path in paths]


def _engine_version(kind: str) -> str:
    """Return a digest of the code that turns an image into detections (or into readings).

    Part of every cache key: a change to how the engine is called or its output decoded is
    measured afresh, never read from a cache the old code filled.
    """
    import hashlib
    import inspect

    from govreports.read import ocr

    if kind == "detect":
        parts, settings = [ocr.OcrEngine.__init__, ocr.OcrEngine.detect], (ocr.BOX_THRESHOLD, ocr.DETECT_SCALE)
    else:
        parts, settings = [ocr.OcrEngine.recognise, ocr._decode, ocr._gap_certainties, ocr._words, ocr._bgr], (
            ocr.MIN_RATIO, ocr.NUMBER_CHARACTERS)
    source = "".join(inspect.getsource(part) for part in parts) + repr(settings)
    return hashlib.sha1(source.encode()).hexdigest()[:12]


def use_cache(folder: Path) -> None:
    """Make the OCR reader use a :class:`CachingEngine` kept in ``folder``."""
    from govreports.read import ocr

    cached = CachingEngine(folder)
    ocr.engine = lambda: cached


def read_all(scans: Path, out: Path, reuse: bool, only: str | None) -> None:
    """Read (OCR) and parse every scan; write its report as JSON to ``out/NAME.json``."""
    from govreports.parse import parse_document
    from govreports.read import read_document

    (out / "documents").mkdir(parents=True, exist_ok=True)
    for path in sorted(scans.glob("*.pdf")):
        if only and only not in path.name:
            continue
        cached = out / "documents" / (path.stem + ".pickle")
        started = time.process_time()
        if reuse and cached.exists():
            document = pickle.loads(cached.read_bytes())
        else:
            document = read_document(path)
            cached.write_bytes(pickle.dumps(document))
        report = parse_document(document)
        (out / (path.name + ".json")).write_text(json.dumps(report.to_dict(), ensure_ascii=False) + "\n",
                                                 encoding="utf-8")
        print(f"{path.name}: {report.status} ({time.process_time() - started:.1f} CPU-s)", file=sys.stderr)


def score(scans: Path, out: Path, only: str | None) -> None:
    """Run score_truth.py over the scans, its parse command printing the reports read above."""
    command = f"{sys.executable} {Path(__file__).resolve()} --emit {out}"
    truth = scans / "truth"
    if only:  # score only the keys of the scans read
        truth = out / "truth"
        truth.mkdir(exist_ok=True)
        for old in truth.glob("*.json"):
            old.unlink()
        for key in (scans / "truth").glob(f"*{only}*.json"):
            (truth / key.name).write_bytes(key.read_bytes())
    subprocess.run([sys.executable, str(SCORER), "--truth", str(truth), "--inputs", str(scans),
                    "--cmd", command], check=True)


def emit(out: Path, source: str) -> None:
    """Print the report parsed from ``source`` (score_truth.py's parse command)."""
    path = out / (Path(source).name + ".json")
    if path.exists():
        sys.stdout.write(path.read_text(encoding="utf-8"))


def main() -> None:
    """Render, read, parse and score (or, with ``--emit``, print one cached report)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=Path, default=None, help="folder of scans (default /tmp/govreports-scans-SEED)")
    parser.add_argument("--seed", type=int, default=100, help="degradation seed (each key adds its index)")
    parser.add_argument("--strength", type=float, default=1.0, help="how hard to degrade (1: as the fixtures)")
    parser.add_argument("--out", type=Path, default=None, help="reports folder (default SCANS/reports)")
    parser.add_argument("--reuse", action="store_true", help="parse the documents read last time again")
    parser.add_argument("--only", default=None, help="only the scans whose file name contains this")
    parser.add_argument("--engine-cache", type=Path, default=None,
                        help="keep the engine's detections and recognitions here (for developing the reader)")
    parser.add_argument("--emit", type=Path, default=None, help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.emit:
        emit(args.emit, rest[-1])
        return
    scans = args.scans or Path(f"/tmp/govreports-scans-{args.seed}")
    out = args.out or scans / "reports"
    os.environ.setdefault("GOVREPORTS_OCR_THREADS", "1")
    make(scans, args.seed, args.strength)
    if args.engine_cache:
        use_cache(args.engine_cache)
    read_all(scans, out, args.reuse, args.only)
    score(scans, out, args.only)


if __name__ == "__main__":
    main()
