"""Client libraries from PyPI that the acceptance tests drive (issue 12: "install them from PyPI in
the test"). scripts/install-deps installs them; when one is missing it is installed here into a
directory of this test run's own, so the machine's site-packages is never changed by a test."""
import importlib
import os
import subprocess
import sys
import tempfile

_target = None


def require(module, package=None):
    """Imports `module`, installing `package` (default: the module's name) from PyPI first if it is
    missing. Returns the directory it was installed into (for a subprocess's PYTHONPATH), or None
    when it came from site-packages."""
    global _target
    try:
        importlib.import_module(module)
        return _target if _target and module_under(module, _target) else None
    except ImportError:
        pass
    if _target is None:
        _target = tempfile.mkdtemp(prefix="edgectl-pypi-")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "--target", _target, package or module], check=True, capture_output=True, timeout=600)
    if _target not in sys.path:
        sys.path.insert(0, _target)
    importlib.invalidate_caches()
    importlib.import_module(module)
    return _target


def module_under(module, directory):
    m = sys.modules.get(module)
    return bool(m and getattr(m, "__file__", None) and os.path.abspath(m.__file__).startswith(os.path.abspath(directory)))


def pythonpath_env(extra_dir):
    """The environment for a subprocess that must import what `require` installed."""
    env = dict(os.environ)
    if extra_dir:
        env["PYTHONPATH"] = extra_dir + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env
