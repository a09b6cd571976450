"""ServerConfig is the one source of the tools layer's limits: ToolsConfig only mirrors it."""

from __future__ import annotations

import attrs

from stui_trio.config import ServerConfig, build_config
from stui_trio.tools.session_tools import ToolsConfig


def test_every_tools_limit_is_a_server_setting_with_the_same_default() -> None:
    server = attrs.fields_dict(ServerConfig)
    for field in attrs.fields(ToolsConfig):
        assert field.name in server, field.name
        assert field.default == server[field.name].default, field.name
    assert ToolsConfig() == ToolsConfig.from_server_config(ServerConfig())


def test_the_server_settings_reach_the_tools() -> None:
    config = build_config(env={"STUI_INTERRUPT_GRACE": "0.5"},
                          overrides={"history_capacity": "7", "completion_limit": "9"})
    tools = ToolsConfig.from_server_config(config)
    assert (tools.interrupt_grace, tools.history_capacity, tools.completion_limit) == (0.5, 7, 9)
    assert tools.registry_capacity == ServerConfig().registry_capacity
