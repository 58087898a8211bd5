"""The fixture's own tests load it the way users do: as a pytest plugin from clients/python."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

pytest_plugins = ["sealstack_fixture"]
