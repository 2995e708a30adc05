"""Per-frame work: downscaled luma through reused scalers, feeding every measure at once."""

from __future__ import annotations

from array import array
from collections.abc import Callable
from fractions import Fraction

import numpy as np
from av.video.frame import VideoFrame
from av.video.reformatter import VideoReformatter

from .boundaries import SceneBoundaries
from .camera import ShiftTracker
from .cues import BLACK_LEVEL, BLACK_SHARE, MOVED_LEVEL, MOVED_SHARE
from .dips import FLAT
from .gradual import GradualDetector, tiny
from .push import PushDetector
from .quality import laplacian_variance, reblur_ratio
from .scenes import CutDetector
from .shotmodel import CONTEXT, ShotModel, sampling_step
from .shotmodel import HEIGHT as MODEL_HEIGHT
from .shotmodel import WIDTH as MODEL_WIDTH
from .thumbnails import MAX_SIDE, Candidate, ThumbnailPicker, frame_score

# Cuts, motion and exposure need only a small picture of every frame; sharpness needs detail,
# so it reads a larger one now and then. Sizes are boxes the picture is fitted into.
SMALL_BOX = 128
DETAIL_BOX = 640
# The every-frame scaler is the one cost paid 30 times a second: FAST_BILINEAR takes ~0.1 ms on
# 1080p where AREA takes ~0.8 ms (a tenth of the decoder's own CPU per frame). Its aliasing does
# not hurt: cuts are judged by correlation, exposure by means. The occasional detail picture
# and thumbnails use AREA, whose averaging the Laplacian and a person's eye do notice.
SMALL_INTERPOLATION = "FAST_BILINEAR"
# Sharpness samples: about 20 per clip, at most every 2 s (the re-blur measure costs a few
# milliseconds) and at least every 0.25 s, so a short clip still gets several.
SAMPLES_PER_CLIP = 20
THUMBNAIL_INTERVAL_S = 1.0
_CLIPPED_LEVEL = 250
_MOTION_DEAD_ZONE = 4.0  # 8-bit luma levels
# After a cut, look again a few frames later, once a transition has certainly settled.
_SETTLE_FRAMES = 3
_MIN_CANDIDATE_GAP_S = 0.2
# Scaling runs on the calling thread. PyAV's default (0: FFmpeg 8's swscale picks one slice
# thread a core) gave every scaler two threads of its own for pictures this small: on the bench's
# 1080p file their hand-offs cost ~0.6 ms of CPU a frame beside ~0.3 on the main thread, where
# one thread alone does the same work in ~0.75 and the decoder no longer shares its cores with
# them. The pixels are the same.
_SCALER_THREADS = 1


class Downscaler:
    """One reused scaler for one output: frame.reformat() would build a new one every frame.

    Going through swscale (not the raw luma plane) also makes 10-bit HDR frames and full- or
    limited-range sources come out as the same 8-bit full-range picture.
    """

    def __init__(self, box: int, fmt: str, interpolation: str = "AREA") -> None:
        self.box = box
        self.fmt = fmt
        self.interpolation = interpolation
        self._reformatter = VideoReformatter()
        self._sizes: dict[tuple[int, int], tuple[int, int]] = {}

    def __call__(self, frame: VideoFrame, aspect: Fraction = Fraction(1)) -> np.ndarray:
        key = (frame.width, frame.height)
        size = self._sizes.get(key)
        if size is None:
            size = self._sizes[key] = fit(float(frame.width * aspect), frame.height, self.box)
        out = self._reformatter.reformat(
            frame,
            size[0],
            size[1],
            format=self.fmt,
            interpolation=self.interpolation,
            src_color_range=frame.color_range,
            dst_color_range="JPEG",
            threads=_SCALER_THREADS,
        )
        return out.to_ndarray()


class ModelInput:
    """The model's 48x27 RGB picture of a frame, turned upright first as a viewer sees it.

    TransNetV2 was trained on, and its own pipeline feeds it, what `ffmpeg -s 48x27` makes:
    swscale's bicubic filter (the ffmpeg tool's default). The same filter here gives the same
    pixels (mean difference under 0.1 level on real clips; the area filter used before was ~2
    levels off, up to 28), so the model sees what it learnt from."""

    def __init__(self) -> None:
        self._reformatter = VideoReformatter()

    def __call__(self, frame: VideoFrame) -> np.ndarray:
        turns = (frame.rotation // 90) % 4
        width, height = (MODEL_HEIGHT, MODEL_WIDTH) if turns % 2 else (MODEL_WIDTH, MODEL_HEIGHT)
        out = self._reformatter.reformat(
            frame,
            width,
            height,
            format="rgb24",
            interpolation="BICUBIC",
            src_color_range=frame.color_range,
            dst_color_range="JPEG",
            threads=_SCALER_THREADS,
        ).to_ndarray()
        return np.ascontiguousarray(np.rot90(out, turns)) if turns else out


def fit(width: float, height: float, box: int) -> tuple[int, int]:
    """The size of width x height fitted into box x box, never enlarged."""
    scale = min(1.0, box / max(width, height, 1))
    return max(2, round(width * scale)), max(2, round(height * scale))


class FrameAnalyzer:
    """Keeps per-frame scalars only (a few numbers per frame), never the frames themselves."""

    def __init__(
        self,
        fps_hint: float,
        thumbnails: ThumbnailPicker | None = None,
        sample_aspect: Fraction = Fraction(1),
        duration_hint: float | None = None,
        wait: Callable[[], None] = lambda: None,
    ) -> None:
        """`wait()` is called every 0.1 s while the shot model holds the analysis up."""
        self.detector = CutDetector(fps_hint)
        self.gradual = GradualDetector(fps_hint)
        self.model = ShotModel(wait)
        self._model_step = sampling_step(fps_hint)
        # Small pictures of recent frames, for the boundaries to see what came back after a
        # model change: kept as long as the model's decisions can lag the decoder (windows
        # queued for it and the one filling), and a bit more.
        self._pictures: dict[int, np.ndarray] = {}
        self._picture_memory = max(
            300,
            round(8 * (fps_hint if 1 <= fps_hint <= 240 else 30)),
            (self.model.lag + CONTEXT) * self._model_step,
        )
        self.contrast = array("d")  # standard deviation of the small luma
        self.boundaries = SceneBoundaries(
            fps_hint, self._pictures.get, self.detector.score, self.contrast
        )
        self._model_input = ModelInput()
        self._model_taken = 0  # model frames handed to the boundaries
        self.camera = ShiftTracker()
        self.pushes = PushDetector(fps_hint, self.boundaries.transition)
        # Frames wait this long before their scene is settled: a transition is final a window
        # after it ends, and one still being weighed may begin a window before that.
        self._release_lag = max(
            self.gradual.horizon + self.gradual.lengths[-1], self.pushes.horizon
        ) + 2 * (self.boundaries.margin + 1)
        self._cut_frontier = 0
        self.thumbnails = thumbnails
        self.sample_aspect = sample_aspect
        self.times = array("d")
        self.changes = array("d")
        self.brightness = array("d")
        self.clipped = array("d")
        self.still = array("d")  # mean absolute luma difference from the frame before, levels
        self.moved = array("d")  # share of the pixels that changed by more than MOVED_LEVEL
        self.black = array("b")
        self.sharpness: list[float] = []
        self.blur: list[float] = []
        self.cut_frames: list[int] = []
        self._small = Downscaler(SMALL_BOX, "gray", SMALL_INTERPOLATION)
        self._detail = Downscaler(DETAIL_BOX, "gray")
        self._thumb = Downscaler(MAX_SIDE, "rgb24")
        self._previous: np.ndarray | None = None
        self._previous_colour: np.ndarray | None = None
        self._next_sample_t = 0.0
        self._sample_interval = min(2.0, max(0.25, (duration_hint or 20.0) / SAMPLES_PER_CLIP))
        self._next_thumbnail_t = 0.0
        self._settle_at = -1
        self._held_score = -1.0
        self._last_candidate_t = float("-inf")

    @property
    def count(self) -> int:
        return len(self.times)

    def add(self, frame: VideoFrame, t: float) -> None:
        """Measure one decoded frame at time t (seconds from the first frame)."""
        index = len(self.times)
        small = self._small(frame)
        luma = small.astype(np.float32)
        # np.add.reduce rather than .mean(): this runs for every frame, and mean's Python
        # wrapper costs more than the sum itself on a picture this small.
        mean = float(np.add.reduce(luma, axis=None)) / luma.size
        previous = self._previous
        if previous is not None and previous.shape == luma.shape:
            # Differences within the dead zone are sensor noise, which the fast scaler does not
            # average away: without it a still, dark, grainy shot would read as motion.
            diff = np.abs(luma - previous)
            still = float(np.add.reduce(diff, axis=None)) / luma.size
            moved = int(np.count_nonzero(diff > MOVED_LEVEL)) / luma.size
            diff -= np.float32(_MOTION_DEAD_ZONE)
            np.maximum(diff, 0.0, out=diff)
            change = float(np.add.reduce(diff, axis=None)) / luma.size / 255.0
        else:
            change = 0.0
            still = 255.0
            moved = 1.0
        self._previous = luma
        self.times.append(t)
        self.changes.append(change)
        self.brightness.append(mean / 255.0)
        self.clipped.append(np.count_nonzero(small >= _CLIPPED_LEVEL) / small.size)
        self.still.append(still)
        self.moved.append(moved)
        self.black.append(int(np.count_nonzero(small <= BLACK_LEVEL) >= BLACK_SHARE * small.size))
        self.camera.push(luma)
        width = luma.shape[1]
        shift = (self.camera.dx[-1] * width, self.camera.dy[-1] * width)
        self.pushes.push(self.camera.dx[-1], self.camera.dy[-1], luma.shape[0] / width)
        decisions = self.detector.push(luma, shift)
        self.contrast.append(self.detector.last_std)
        picture = tiny(luma)
        self._pictures[index] = picture
        self._pictures.pop(index - self._picture_memory, None)
        for found in self.gradual.push(picture, self.detector.last_std < FLAT):
            self.boundaries.transition(found)
        if index % self._model_step == 0:
            colour = self._model_input(frame)
            # The luma alone misses a subject whose brightness matches its background's: the
            # model's colour picture says whether anything moved in the colours.
            before = self._previous_colour
            if (
                before is not None
                and before.shape == colour.shape
                and self.moved[-1] <= MOVED_SHARE
            ):
                diff = np.abs(colour.astype(np.int16) - before).max(axis=2)
                shifted = np.count_nonzero(diff > MOVED_LEVEL) / diff.size
                self.moved[-1] = max(self.moved[-1], shifted)
            self._previous_colour = colour
            self.model.push(colour)
            self._take_model()
        if t >= self._next_sample_t:
            self._next_sample_t = t + self._sample_interval
            self._sample_detail(frame)
        if self.thumbnails is not None:
            self._maybe_candidate(frame, index, t, mean)
        self._apply(decisions)

    def finish(self) -> None:
        self.model.finish()
        self._take_model()
        self._apply(self.detector.finish())
        for found in self.gradual.finish():
            self.boundaries.transition(found)
        self.pushes.finish()
        self._release(self.count, final=True)
        if self.thumbnails is not None:
            self.thumbnails.finish()

    def _apply(self, decisions: list[tuple[int, bool]]) -> None:
        for index, is_cut in decisions:
            if is_cut:
                self.boundaries.cut(index)
            self._cut_frontier = index + 1
        self._release(min(self._cut_frontier, self.count - self._release_lag))

    def _take_model(self) -> None:
        """Hand the model's new probabilities to the boundaries, one per source frame."""
        model, step = self.model, self._model_step
        known = len(model.single)
        if known == self._model_taken:
            return
        single = np.repeat(np.asarray(model.single[self._model_taken : known]), step)
        many = np.repeat(np.asarray(model.many[self._model_taken : known]), step)
        # The last model frame stands for the source frames after it, however many there are.
        room = self.count - len(self.boundaries.single) if known == model.count else None
        if room is not None and len(single) < room:
            single = np.pad(single, (0, room - len(single)), mode="edge")
            many = np.pad(many, (0, room - len(many)), mode="edge")
        self.boundaries.model(single[:room].tolist(), many[:room].tolist())
        self._model_taken = known

    def _release(self, upto: int, final: bool = False) -> None:
        for index, starts, inside in self.boundaries.release(upto, final):
            if starts:
                self.cut_frames.append(index)
            if self.thumbnails is not None:
                self.thumbnails.decided(index, starts, inside)

    def _sample_detail(self, frame: VideoFrame) -> None:
        detail = self._detail(frame).astype(np.float32)
        self.sharpness.append(laplacian_variance(detail))
        ratio = reblur_ratio(detail)
        if ratio is not None:
            self.blur.append(ratio)

    def _maybe_candidate(self, frame: VideoFrame, index: int, t: float, mean: float) -> None:
        """Convert a frame to RGB only when it may become its scene's thumbnail."""
        assert self.thumbnails is not None
        spike = self.detector.is_spike(index)
        score = frame_score(mean, self.detector.last_std, spike and index > 0)
        if spike:
            # A scene may start here: its frames are judged afresh, and looked at again once
            # a transition has settled.
            self._settle_at = index + _SETTLE_FRAMES
            self._held_score = -1.0
        due = spike or index == self._settle_at or t >= self._next_thumbnail_t
        # A clearly better frame (the end of a fade-in, the subject turning up) is taken too,
        # a few times a second at most.
        better = (
            score > self._held_score * 1.15 + 0.02
            and t >= self._last_candidate_t + _MIN_CANDIDATE_GAP_S
        )
        if not (due or better):
            return
        self._next_thumbnail_t = t + THUMBNAIL_INTERVAL_S
        self._last_candidate_t = t
        self._held_score = max(self._held_score, score)
        self.thumbnails.add(index, Candidate(score, self._thumb(frame, self.sample_aspect)))
