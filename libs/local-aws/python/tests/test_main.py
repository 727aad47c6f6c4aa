import subprocess
import sys
from pathlib import Path

from lake_moto import patches


def test_every_patch_module_registers_with_apply():
    assert patches.PATCHES
    for patch in patches.PATCHES:
        assert callable(patch.apply), patch.__name__


def test_without_moto_it_says_how_to_install_it():
    # -S leaves site-packages (and so moto) off the path
    result = subprocess.run(
        [sys.executable, "-S", "-m", "lake_moto"],
        cwd=Path(__file__).parent.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "lake_moto: cannot import moto" in result.stderr
    assert "pip install 'moto[server]==5.2.1'" in result.stderr
    assert "LAKE_MOTO_PYTHON" in result.stderr
