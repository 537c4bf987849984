"""The sync speaks to one ``TrackingServer``: the real REST client and the tests' fake offer it alike."""

import inspect

import pytest

from desktop.sync.rest_client import MlflowRestClient
from desktop.sync.tracking import TrackingServer
from tests.sync.fake_mlflow import FakeMlflow

MEMBERS = sorted(
    name for name, value in vars(TrackingServer).items() if not name.startswith("_") and callable(value)
)


def _shape(function) -> tuple[list[tuple[str, object, object, object]], object]:
    signature = inspect.signature(function)
    parameters = [(p.name, p.kind, p.default, p.annotation) for p in signature.parameters.values()]
    return parameters, signature.return_annotation


@pytest.mark.parametrize("implementation", [MlflowRestClient, FakeMlflow], ids=lambda c: c.__name__)
@pytest.mark.parametrize("member", MEMBERS)
def test_each_request_has_the_protocols_parameters_and_answer(implementation: type, member: str) -> None:
    assert _shape(getattr(implementation, member)) == _shape(getattr(TrackingServer, member))


def test_the_protocol_names_every_request_the_sync_makes() -> None:
    assert "update_run" in MEMBERS and "upload_artifact" in MEMBERS and len(MEMBERS) == 14


def test_both_say_how_long_one_call_may_take() -> None:
    assert isinstance(MlflowRestClient.__dict__["timeout_seconds"], property)
    assert isinstance(FakeMlflow().timeout_seconds, float)


def test_the_fakes_update_answers_as_the_real_one_does() -> None:
    server = FakeMlflow()
    experiment_id = server.create_experiment("e")
    run = server.create_run(experiment_id, 0, {"observation_id": "o1"})
    assert server.update_run(run.run_id, "FINISHED", end_time=1) is None
    assert server.runs[run.run_id].info.status == "FINISHED"
