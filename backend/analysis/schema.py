"""The result document as pydantic models: the OpenAPI schema and a check in the tests."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

WarningCode = Literal[
    "too_dark",
    "overexposed",
    "blurry",
    "shaky",
    "low_resolution",
    "no_audio",
    "silent_audio",
    "too_quiet",
    "clipping",
    "truncated",
]
SceneKind = Literal["cut", "dissolve", "fade", "wipe"]
CueKind = Literal["black", "freeze", "silence"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VideoFacts(_Strict):
    duration_s: float = Field(
        ge=0, description="Duration in seconds (the readable part if truncated)."
    )
    fps: float = Field(ge=0, description="Average frames per second, measured from the frames.")
    variable_frame_rate: bool = Field(description="Whether frame durations vary.")
    frame_count: int = Field(ge=0, description="Frames decoded.")
    width: int = Field(ge=0, description="Coded width in pixels.")
    height: int = Field(ge=0, description="Coded height in pixels.")
    rotation: Literal[0, 90, 180, 270] = Field(
        description="Clockwise rotation a viewer applies, from the display matrix."
    )
    display_width: int = Field(
        ge=0, description="Width as shown, rotation and pixel aspect applied."
    )
    display_height: int = Field(ge=0, description="Height as shown, rotation applied.")
    codec: str = Field(description="FFmpeg codec name, e.g. h264, hevc, vp9.")
    profile: str | None = Field(description="Codec profile, e.g. High, Main 10.")
    bit_rate: int | None = Field(description="Bits per second, from the container or the size.")
    container: str = Field(description="FFmpeg demuxer name, e.g. 'mov,mp4,m4a,3gp,3g2,mj2'.")
    created_at: str | None = Field(description="Recording time from the file, ISO 8601 UTC.")


class Loudness(_Strict):
    """EBU R128 (ITU-R BS.1770) loudness of the whole track."""

    integrated_lufs: float = Field(
        description="Integrated loudness, LUFS; -70 (the gate's floor) for silence."
    )
    range_lu: float = Field(ge=0, description="Loudness range (LRA), LU.")
    true_peak_dbtp: float = Field(description="Highest true (4x oversampled) peak, dBTP.")
    clipped_samples: int = Field(ge=0, description="Samples at or beyond full scale.")


class AudioFacts(_Strict):
    codec: str
    channels: int = Field(ge=0)
    sample_rate: int = Field(ge=0)
    rms_dbfs: float = Field(description="RMS level over the whole track, dBFS (floor -120).")
    per_second_dbfs: list[float] = Field(description="RMS level of each second, dBFS.")
    silent: bool = Field(description="True when the level never rises above -60 dBFS.")
    loudness: Loudness


class Scene(_Strict):
    index: int = Field(ge=0, description="0-based; the thumbnail is <index>.jpg.")
    start_s: float = Field(
        ge=0, description="Where the scene starts; the middle of a gradual transition into it."
    )
    end_s: float = Field(ge=0)
    kind: SceneKind = Field(
        description="How the scene begins: cut, dissolve, fade (through black or white) or "
        "wipe; the first scene is 'cut'."
    )
    transition_start_s: float | None = Field(
        default=None, ge=0, description="Gradual transitions only: where it begins."
    )
    transition_end_s: float | None = Field(
        default=None, ge=0, description="Gradual transitions only: where it ends."
    )


class Cue(_Strict):
    kind: CueKind = Field(
        description="black picture, frozen picture, or silence (each at least 0.5/1/1 s)."
    )
    start_s: float = Field(ge=0)
    end_s: float = Field(ge=0)


class Stability(_Strict):
    interval_s: float = Field(gt=0, description="Length of each value's interval.")
    shake: list[float] = Field(description="Camera shake 0-1 of each interval (0 steady).")


class Motion(_Strict):
    interval_s: float = Field(gt=0, description="Length of each value's interval.")
    values: list[float] = Field(description="Motion score 0-1 of each interval.")


class Highlight(_Strict):
    start_s: float = Field(ge=0)
    end_s: float = Field(ge=0)
    score: float = Field(ge=0, le=1, description="Mean motion score of the segment.")


class QualityWarning(_Strict):
    code: WarningCode
    message: str = Field(description="A sentence for a person.")


class Quality(_Strict):
    brightness_mean: float = Field(ge=0, le=1, description="Mean luma, 0 black to 1 white.")
    sharpness: float = Field(
        ge=0, description="Median variance of the Laplacian of luma (fitted into 640x640)."
    )
    warnings: list[QualityWarning]


class AnalysisResult(_Strict):
    """What analyze() returns; the web layer adds job_id and thumbnail URLs."""

    analyzer_version: str = Field(
        description="3.6 now (3.5: the learned model took 2.3x the CPU, and two cuts under "
        "half a second apart could read as one change; 3.4: a clip opening with a fade in "
        "from black read as a scene change, a fade out and in could read as two, and a long "
        "dissolve the model saw only as frames inside a transition was missed; 3.3: the "
        "learned model took 2.5x the CPU, in windows of 100 frames; 3.2: a push transition, "
        "one picture sliding the other out, was missed; 3.1: the learned model saw frames "
        "scaled unlike its training footage; 3.0: a moving subject could read as a frozen "
        "picture; 2.0: scene changes without the learned model). Results of 1.0 (older jobs) "
        "have no scenes[].kind or transition times, no cues, no stability and no "
        "audio.loudness; clients should allow for that."
    )
    frames_analyzed: int = Field(ge=0)
    analysis_seconds: float = Field(ge=0)
    video: VideoFacts
    audio: AudioFacts | None = Field(description="null when the file has no audio stream.")
    scenes: list[Scene]
    cues: list[Cue] = Field(description="Black, frozen and silent stretches, in time order.")
    motion: Motion
    highlights: list[Highlight] = Field(description="Up to three most active segments, best first.")
    stability: Stability
    quality: Quality
