"""Settings are read lazily from the environment under their Function App names."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared.config import get_settings, reset_settings


def test_settings_read_app_setting_names_when_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARM_ENDPOINT", "https://127.0.0.1:9999")
    monkeypatch.setenv("ServiceBusConnection", "Endpoint=sb://127.0.0.1:5672;UseDevelopmentEmulator=true;")
    reset_settings()
    try:
        settings = get_settings()
        assert settings.arm_endpoint == "https://127.0.0.1:9999"
        assert settings.servicebus_connection is not None
    finally:
        reset_settings()


def test_importing_config_reads_nothing_when_environment_is_bad(monkeypatch: pytest.MonkeyPatch) -> None:
    # A fresh interpreter imports the module under the bad environment (reloading it here would leave other
    # modules holding the old get_settings, whose cache reset_settings can no longer clear).
    env = {**os.environ, "COST_HISTORY_DAYS": "not-a-number"}
    imported = subprocess.run([sys.executable, "-c", "import shared.config"], env=env, capture_output=True,
                              cwd=Path(__file__).resolve().parents[2], timeout=60, check=False)
    assert imported.returncode == 0, imported.stderr  # must not raise: settings are read on first use only
    monkeypatch.setenv("COST_HISTORY_DAYS", "not-a-number")
    reset_settings()
    with pytest.raises(ValueError):
        get_settings()
    reset_settings()
