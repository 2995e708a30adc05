"""Every container we accept is recognised from its bytes and analysed end to end."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from backend.uploads.sniff import SNIFF_BYTES, sniff
from tests.containers import CONTAINERS, ContainerCase
from tests.helpers import AuthActions, wait_for_job

FPS = 24


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("containers")
    return {case.name: case.write(directory, seconds=1.0) for case in CONTAINERS}


@pytest.mark.parametrize("case", CONTAINERS, ids=lambda case: case.name)
def test_the_sniffer_names_each_container(case: ContainerCase, clips: dict[str, Path]) -> None:
    with clips[case.name].open("rb") as handle:
        found = sniff(handle.read(SNIFF_BYTES))
    assert found is not None, f"{case.name} was not recognised as a video"
    assert (found.name, found.content_type) == (case.name, case.content_type)


@pytest.mark.parametrize("case", CONTAINERS, ids=lambda case: case.name)
def test_each_container_is_uploaded_and_analysed(
    case: ContainerCase, clips: dict[str, Path], client: FlaskClient, auth: AuthActions
) -> None:
    headers = auth.register()
    # A name that says nothing: only the bytes can tell the container.
    response = client.post(
        "/api/upload",
        data=clips[case.name].read_bytes(),
        headers={**headers, "X-Filename": "from-my-phone"},
        content_type="application/octet-stream",
    )
    assert response.status_code == 202, response.get_json()
    assert response.get_json()["job"]["video"]["content_type"] == case.content_type
    job = wait_for_job(client, headers, response.get_json()["job_id"])
    assert job["status"] == "completed", job["error"]
    assert job["result"]["video"]["frame_count"] == FPS
