import stui_trio


def test_version_is_declared() -> None:
    assert stui_trio.PROTOCOL_VERSION == 1
    assert stui_trio.__version__
