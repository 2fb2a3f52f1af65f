"""Run Playwright's codegen, headed, for a person to record a screen; under Xvfb when there is no display.

``record_script(url, script)`` starts ``playwright codegen --channel chrome -o SCRIPT URL``
and waits until the person closes the browser, or until this process gets SIGTERM or
Ctrl-C: codegen is then sent SIGTERM, on which it writes the script. Codegen wants Google
Chrome at /opt/google/chrome/chrome; on Debian that is a link to Debian's Chromium
(scripts/install.sh makes it). Without $DISPLAY an Xvfb server is started for the
recording and stopped after it (a recording on a server then needs a person on a remote
display, or `o2c record --from-codegen` with a script recorded elsewhere).
"""

import os
import shutil
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from bots.runtime.errors import InputError
from bots.runtime.logs import get_logger

log = get_logger(__name__)

CHROME = Path("/opt/google/chrome/chrome")
STOP_SECONDS = 20


def record_script(url: str, script: Path, test_id_attribute: str | None = None) -> Path:
    """Record ``url`` with codegen into ``script``; return it once codegen has written it."""
    if not CHROME.exists():
        raise InputError(f"codegen starts Google Chrome at {CHROME}, which is missing; link Debian's Chromium there: "
                         f"sudo mkdir -p {CHROME.parent} && sudo ln -s /usr/bin/chromium {CHROME} "
                         f"(scripts/install.sh does it)")
    command = [*_codegen_driver(), "codegen", "--target", "python", "--channel", "chrome", "-o", str(script)]
    if test_id_attribute:
        command += ["--test-id-attribute", test_id_attribute]
    command.append(url)
    with _display() as display:
        env = {**os.environ, "DISPLAY": display}
        process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, start_new_session=True)
        log.info("recording", url=url, script=str(script), display=display, pid=process.pid)
        stop = _forward_stop_signals(process)
        try:
            process.wait()
        except KeyboardInterrupt:
            _terminate(process)
        finally:
            stop()
    if not script.is_file():
        raise InputError(f"codegen wrote no script (exit code {process.returncode}); was the browser closed "
                         f"before the page opened?", str(script))
    return script


def _codegen_driver() -> list[str]:
    """Playwright's Node driver itself (not the ``playwright`` wrapper script), so that SIGTERM
    reaches the process that writes the script."""
    try:
        from playwright._impl._driver import compute_driver_executable

        return list(compute_driver_executable())
    except ImportError:  # another Playwright layout: its wrapper script
        playwright = Path(sys.executable).with_name("playwright")
        return [str(playwright if playwright.exists() else "playwright")]


@contextmanager
def _display():
    """The display to record on: $DISPLAY, else a private Xvfb server for the time of the recording."""
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    xvfb = shutil.which("Xvfb")
    if not xvfb:
        raise InputError("there is no display and no Xvfb to record on; install it (apt-get install xvfb, "
                         "scripts/install.sh does) or run o2c record on a desktop")
    read, write = os.pipe()
    server = subprocess.Popen([xvfb, "-displayfd", str(write), "-screen", "0", "1400x1000x24", "-nolisten", "tcp"],
                              pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    try:
        with os.fdopen(read) as numbers:
            number = numbers.readline().strip()
        if not number:
            raise InputError("Xvfb did not start; try `Xvfb -displayfd 1` by hand to see why")
        yield f":{number}"
    finally:
        _terminate(server)


def _forward_stop_signals(process: subprocess.Popen):
    """SIGTERM to us becomes SIGTERM to codegen (which then writes the script); returns the undo."""
    def stop(signum, frame):
        # Only signal here: the main thread's process.wait() holds Popen's wait lock, so
        # waiting inside the handler would stall until its timeout.
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)

    previous = signal.signal(signal.SIGTERM, stop)
    return lambda: signal.signal(signal.SIGTERM, previous)


def _terminate(process: subprocess.Popen, group: bool = False) -> None:
    """SIGTERM (the process group of) ``process``; SIGKILL if it has not ended after STOP_SECONDS."""
    if process.poll() is not None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig) if group else process.send_signal(sig)
        except ProcessLookupError:
            return
        try:
            process.wait(STOP_SECONDS)
            return
        except subprocess.TimeoutExpired:
            continue
