"""SessionTools' snapshot/restore seam and the service's bookkeeping of sessions."""

from stui_trio.smalltalk.values import Workspace
from stui_trio.tools.session_tools import SessionTools, ToolsConfig, ToolsService


class WorkspaceMaker:
    """The one image call the service makes when a session first uses the tools."""

    def new_workspace(self) -> Workspace:
        return Workspace()


def test_snapshot_and_restore_round_trip() -> None:
    config = ToolsConfig(history_capacity=3)
    tools = SessionTools("s-1", Workspace(), config, owner="alice")
    value = ["a", "b"]
    tools.workspace.bindings["x"] = value
    ref = tools.registry.register(value)
    tools.inspector.visit(ref)
    tools.history.record("x := #(a b)", "#(#a #b)", "Array", False, "2026-01-01T00:00:00.000Z")
    tools.transcript.write("hello")
    saved = tools.snapshot()
    assert saved["bindings"] == {"x": value} and saved["object_registry"] == [(ref, value)]

    again = SessionTools("s-1", Workspace(), config, owner="alice")
    again.restore(saved)
    assert again.workspace.bindings["x"] is value
    assert again.registry.lookup(ref) is value
    assert again.registry.register(object()) != ref  # numbering continues
    assert again.inspector.selection == ref
    assert again.history.latest_json()[0]["code"] == "x := #(a b)"
    assert again.transcript.write("more") == 2


def test_service_makes_tools_lazily_and_forgets_gone_sessions() -> None:
    service = ToolsService(WorkspaceMaker())
    first = service.tools_for("s-1", "alice")
    assert service.tools_for("s-1", "alice") is first
    service.tools_for("s-2", "bob")
    assert len(service) == 2 and "s-2" in service
    service.forget("s-2")
    assert "s-2" not in service and service.existing("s-1") is first
    service.forget("s-1")
    assert len(service) == 0
    assert not first.stop("interrupted", 0.1)  # nothing was running


def test_tools_config_reads_same_named_server_settings() -> None:
    class ServerSettings:
        history_capacity = 7
        unrelated = "x"

    assert ToolsConfig.from_server_config(ServerSettings()).history_capacity == 7


def test_system_info_reports_the_real_image() -> None:
    from stui_trio.smalltalk import Image

    service = ToolsService(Image.boot())
    service.tools_for("s-1", "alice")
    info = service.system_info()
    assert info["available"] and info["classes"] > 20 and info["sessions_with_tools"] == 1
    assert info["evaluations_running"] == 0 and info["evaluations_queued"] == 0
